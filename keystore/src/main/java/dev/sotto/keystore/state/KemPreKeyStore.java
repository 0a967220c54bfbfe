package dev.sotto.keystore.state;

import dev.sotto.keystore.prekey.KemPreKeyRecord;
import java.util.List;
import java.util.Optional;

/** Signed ML-KEM-768 prekeys: one-time ones (removed once used) and the last-resort one. */
public interface KemPreKeyStore {
  /** Returns the KEM prekey with that id, if kept. */
  Optional<KemPreKeyRecord> loadKemPreKey(int id);

  /** Returns all kept KEM prekeys. */
  List<KemPreKeyRecord> loadKemPreKeys();

  /** Stores a KEM prekey. */
  void storeKemPreKey(KemPreKeyRecord record);

  /** Removes a KEM prekey. */
  void removeKemPreKey(int id);
}
