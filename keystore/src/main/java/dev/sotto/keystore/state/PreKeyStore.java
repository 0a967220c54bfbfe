package dev.sotto.keystore.state;

import dev.sotto.keystore.prekey.PreKeyRecord;
import java.util.Optional;

/** One-time X25519 prekeys, removed once used. */
public interface PreKeyStore {
  /** Returns the prekey with that id, if still there. */
  Optional<PreKeyRecord> loadPreKey(int id);

  /** Stores a prekey. */
  void storePreKey(PreKeyRecord record);

  /** Removes a prekey. */
  void removePreKey(int id);

  /** Removes all prekeys (key renewal). */
  void removeAllPreKeys();

  /** Returns how many are left. */
  int countPreKeys();
}
