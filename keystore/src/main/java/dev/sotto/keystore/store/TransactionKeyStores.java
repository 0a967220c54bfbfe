package dev.sotto.keystore.store;

import dev.sotto.keystore.InvalidRecordException;
import dev.sotto.keystore.KeyStores;
import dev.sotto.keystore.ProtocolAddress;
import dev.sotto.keystore.identity.IdentityKey;
import dev.sotto.keystore.identity.IdentityKeyPair;
import dev.sotto.keystore.prekey.KemPreKeyRecord;
import dev.sotto.keystore.prekey.PreKeyRecord;
import dev.sotto.keystore.prekey.SignedPreKeyRecord;
import dev.sotto.keystore.ratchet.SessionRecord;
import dev.sotto.keystore.state.IdentityKeyStore;
import dev.sotto.keystore.state.KemPreKeyStore;
import dev.sotto.keystore.state.PreKeyStore;
import dev.sotto.keystore.state.ReplayCacheStore;
import dev.sotto.keystore.state.SessionStore;
import dev.sotto.keystore.state.SignedPreKeyStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The engine's store interfaces over a {@link Transaction}: every load reads the committed state
 * with the transaction's writes on top and returns a fresh copy; every store is staged. A record
 * that fails to authenticate or parse throws {@link UncheckedLocalStoreException}.
 */
final class TransactionKeyStores
    implements IdentityKeyStore,
        PreKeyStore,
        SignedPreKeyStore,
        KemPreKeyStore,
        SessionStore,
        ReplayCacheStore {
  private final Transaction tx;

  private TransactionKeyStores(Transaction tx) {
    this.tx = tx;
  }

  static KeyStores create(Transaction tx) {
    TransactionKeyStores s = new TransactionKeyStores(tx);
    return new KeyStores(s, s, s, s, s, s);
  }

  private interface Read<T> {
    T run() throws LocalStoreException, InvalidRecordException;
  }

  private static <T> T unchecked(String what, Read<T> r) {
    try {
      return r.run();
    } catch (LocalStoreException e) {
      throw new UncheckedLocalStoreException(e);
    } catch (InvalidRecordException e) {
      throw new UncheckedLocalStoreException(
          new CorruptedStoreException(what + " record: " + e.getMessage()));
    }
  }

  private List<RecordView.Plain> all(String map) {
    return unchecked(map, () -> tx.scan(map, new byte[0], Integer.MAX_VALUE));
  }

  // ------------------------------------------------------------------ identity

  @Override
  public IdentityKeyPair identityKeyPair() {
    return unchecked(RecordView.IDENTITY, tx::identityKeyPair);
  }

  @Override
  public void replaceIdentityKeyPair(IdentityKeyPair identity) {
    tx.put(RecordView.IDENTITY, RecordView.SELF_KEY, identity.serialize());
  }

  @Override
  public Optional<IdentityKey> pinnedIdentity(ProtocolAddress address) {
    return unchecked(RecordView.PIN, () -> tx.pinnedIdentity(address));
  }

  @Override
  public void pin(ProtocolAddress address, IdentityKey identity) {
    tx.put(
        RecordView.PIN,
        tx.addressKey(RecordView.PIN, address),
        Records.pin(new Records.Pin(address, identity)));
  }

  // ------------------------------------------------------------------ one-time prekeys

  @Override
  public Optional<PreKeyRecord> loadPreKey(int id) {
    return unchecked(
        RecordView.PREKEY,
        () -> {
          Optional<byte[]> b = tx.get(RecordView.PREKEY, RecordView.intKey(id));
          return b.isEmpty() ? Optional.empty() : Optional.of(PreKeyRecord.deserialize(b.get()));
        });
  }

  @Override
  public void storePreKey(PreKeyRecord record) {
    tx.put(RecordView.PREKEY, RecordView.intKey(record.id()), record.serialize());
  }

  @Override
  public void removePreKey(int id) {
    tx.delete(RecordView.PREKEY, RecordView.intKey(id));
  }

  @Override
  public void removeAllPreKeys() {
    for (RecordView.Plain p : all(RecordView.PREKEY)) {
      tx.delete(RecordView.PREKEY, p.key());
    }
  }

  @Override
  public int countPreKeys() {
    return all(RecordView.PREKEY).size();
  }

  // ------------------------------------------------------------------ signed prekeys

  @Override
  public Optional<SignedPreKeyRecord> loadSignedPreKey(int id) {
    return unchecked(
        RecordView.SIGNED_PREKEY,
        () -> {
          Optional<byte[]> b = tx.get(RecordView.SIGNED_PREKEY, RecordView.intKey(id));
          return b.isEmpty()
              ? Optional.empty()
              : Optional.of(SignedPreKeyRecord.deserialize(b.get()));
        });
  }

  @Override
  public List<SignedPreKeyRecord> loadSignedPreKeys() {
    List<SignedPreKeyRecord> out = new ArrayList<>();
    for (RecordView.Plain p : all(RecordView.SIGNED_PREKEY)) {
      out.add(unchecked(RecordView.SIGNED_PREKEY, () -> SignedPreKeyRecord.deserialize(p.value())));
    }
    return List.copyOf(out);
  }

  @Override
  public void storeSignedPreKey(SignedPreKeyRecord record) {
    tx.put(RecordView.SIGNED_PREKEY, RecordView.intKey(record.id()), record.serialize());
  }

  @Override
  public void removeSignedPreKey(int id) {
    tx.delete(RecordView.SIGNED_PREKEY, RecordView.intKey(id));
  }

  // ------------------------------------------------------------------ KEM prekeys

  @Override
  public Optional<KemPreKeyRecord> loadKemPreKey(int id) {
    return unchecked(
        RecordView.KEM_PREKEY,
        () -> {
          Optional<byte[]> b = tx.get(RecordView.KEM_PREKEY, RecordView.intKey(id));
          return b.isEmpty() ? Optional.empty() : Optional.of(KemPreKeyRecord.deserialize(b.get()));
        });
  }

  @Override
  public List<KemPreKeyRecord> loadKemPreKeys() {
    List<KemPreKeyRecord> out = new ArrayList<>();
    for (RecordView.Plain p : all(RecordView.KEM_PREKEY)) {
      out.add(unchecked(RecordView.KEM_PREKEY, () -> KemPreKeyRecord.deserialize(p.value())));
    }
    return List.copyOf(out);
  }

  @Override
  public void storeKemPreKey(KemPreKeyRecord record) {
    tx.put(RecordView.KEM_PREKEY, RecordView.intKey(record.id()), record.serialize());
  }

  @Override
  public void removeKemPreKey(int id) {
    tx.delete(RecordView.KEM_PREKEY, RecordView.intKey(id));
  }

  // ------------------------------------------------------------------ sessions

  @Override
  public Optional<SessionRecord> loadSession(ProtocolAddress address) {
    return unchecked(
        RecordView.SESSION,
        () -> {
          Optional<byte[]> b =
              tx.get(RecordView.SESSION, tx.addressKey(RecordView.SESSION, address));
          return b.isEmpty() ? Optional.empty() : Optional.of(SessionRecord.deserialize(b.get()));
        });
  }

  @Override
  public void storeSession(ProtocolAddress address, SessionRecord session) {
    tx.put(RecordView.SESSION, tx.addressKey(RecordView.SESSION, address), session.serialize());
  }

  @Override
  public void deleteSession(ProtocolAddress address) {
    tx.delete(RecordView.SESSION, tx.addressKey(RecordView.SESSION, address));
  }

  @Override
  public void deleteAllSessions() {
    for (RecordView.Plain p : all(RecordView.SESSION)) {
      tx.delete(RecordView.SESSION, p.key());
    }
  }

  // ------------------------------------------------------------------ replay cache

  @Override
  public boolean containsReplayId(byte[] replayId) {
    return unchecked(RecordView.REPLAY, () -> tx.get(RecordView.REPLAY, replayId).isPresent());
  }

  @Override
  public void addReplayId(byte[] replayId, int signedPreKeyId, int kemPreKeyId) {
    tx.put(
        RecordView.REPLAY,
        replayId,
        Records.replay(new Records.ReplayOwners(signedPreKeyId, kemPreKeyId)));
  }

  @Override
  public void removeForSignedPreKey(int signedPreKeyId) {
    for (RecordView.Plain p : all(RecordView.REPLAY)) {
      Records.ReplayOwners o = unchecked(RecordView.REPLAY, () -> Records.decodeReplay(p.value()));
      if (o.signedPreKeyId() == signedPreKeyId) {
        tx.delete(RecordView.REPLAY, p.key());
      }
    }
  }

  @Override
  public void removeForKemPreKey(int kemPreKeyId) {
    for (RecordView.Plain p : all(RecordView.REPLAY)) {
      Records.ReplayOwners o = unchecked(RecordView.REPLAY, () -> Records.decodeReplay(p.value()));
      if (o.kemPreKeyId() == kemPreKeyId) {
        tx.delete(RecordView.REPLAY, p.key());
      }
    }
  }

  @Override
  public int size() {
    return unchecked(RecordView.REPLAY, () -> tx.keys(RecordView.REPLAY).size());
  }

  @Override
  public Map<Integer, Integer> countsBySignedPreKey() {
    Map<Integer, Integer> counts = new HashMap<>();
    for (RecordView.Plain p : all(RecordView.REPLAY)) {
      Records.ReplayOwners o = unchecked(RecordView.REPLAY, () -> Records.decodeReplay(p.value()));
      counts.merge(o.signedPreKeyId(), 1, Integer::sum);
    }
    return Map.copyOf(counts);
  }

  @Override
  public int capacity() {
    return tx.replayCacheCapacity();
  }
}
