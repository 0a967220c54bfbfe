package dev.sotto.keystore.state;

import dev.sotto.keystore.prekey.SignedPreKeyRecord;
import java.util.List;
import java.util.Optional;

/** Signed X25519 prekeys: the current one and those kept for 30 days after rotation. */
public interface SignedPreKeyStore {
  /** Returns the signed prekey with that id, if kept. */
  Optional<SignedPreKeyRecord> loadSignedPreKey(int id);

  /** Returns all kept signed prekeys. */
  List<SignedPreKeyRecord> loadSignedPreKeys();

  /** Stores a signed prekey. */
  void storeSignedPreKey(SignedPreKeyRecord record);

  /** Removes a signed prekey (and, by the caller, its replay-cache entries). */
  void removeSignedPreKey(int id);
}
