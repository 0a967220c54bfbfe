package dev.sotto.keystore.state;

import dev.sotto.keystore.InvalidRecordException;
import dev.sotto.keystore.prekey.KemPreKeyRecord;
import dev.sotto.keystore.prekey.PreKeyRecord;
import dev.sotto.keystore.prekey.SignedPreKeyRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One-time, signed and KEM prekeys in memory, for tests. Keeps the serialized records, so every
 * load parses a fresh copy.
 */
public final class InMemoryPreKeyStore implements PreKeyStore, SignedPreKeyStore, KemPreKeyStore {
  private final Map<Integer, byte[]> preKeys = new TreeMap<>();
  private final Map<Integer, byte[]> signedPreKeys = new TreeMap<>();
  private final Map<Integer, byte[]> kemPreKeys = new TreeMap<>();

  @Override
  public synchronized Optional<PreKeyRecord> loadPreKey(int id) {
    byte[] b = preKeys.get(id);
    try {
      return b == null ? Optional.empty() : Optional.of(PreKeyRecord.deserialize(b));
    } catch (InvalidRecordException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public synchronized void storePreKey(PreKeyRecord record) {
    preKeys.put(record.id(), record.serialize());
  }

  @Override
  public synchronized void removePreKey(int id) {
    preKeys.remove(id);
  }

  @Override
  public synchronized void removeAllPreKeys() {
    preKeys.clear();
  }

  @Override
  public synchronized int countPreKeys() {
    return preKeys.size();
  }

  @Override
  public synchronized Optional<SignedPreKeyRecord> loadSignedPreKey(int id) {
    byte[] b = signedPreKeys.get(id);
    try {
      return b == null ? Optional.empty() : Optional.of(SignedPreKeyRecord.deserialize(b));
    } catch (InvalidRecordException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public synchronized List<SignedPreKeyRecord> loadSignedPreKeys() {
    List<SignedPreKeyRecord> out = new ArrayList<>();
    for (int id : signedPreKeys.keySet()) {
      out.add(loadSignedPreKey(id).orElseThrow());
    }
    return List.copyOf(out);
  }

  @Override
  public synchronized void storeSignedPreKey(SignedPreKeyRecord record) {
    signedPreKeys.put(record.id(), record.serialize());
  }

  @Override
  public synchronized void removeSignedPreKey(int id) {
    signedPreKeys.remove(id);
  }

  @Override
  public synchronized Optional<KemPreKeyRecord> loadKemPreKey(int id) {
    byte[] b = kemPreKeys.get(id);
    try {
      return b == null ? Optional.empty() : Optional.of(KemPreKeyRecord.deserialize(b));
    } catch (InvalidRecordException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public synchronized List<KemPreKeyRecord> loadKemPreKeys() {
    List<KemPreKeyRecord> out = new ArrayList<>();
    for (int id : kemPreKeys.keySet()) {
      out.add(loadKemPreKey(id).orElseThrow());
    }
    return List.copyOf(out);
  }

  @Override
  public synchronized void storeKemPreKey(KemPreKeyRecord record) {
    kemPreKeys.put(record.id(), record.serialize());
  }

  @Override
  public synchronized void removeKemPreKey(int id) {
    kemPreKeys.remove(id);
  }
}
