package dev.sotto.keystore;

import dev.sotto.keystore.identity.IdentityKeyPair;
import dev.sotto.keystore.prekey.KemPreKeyRecord;
import dev.sotto.keystore.prekey.PreKeyIds;
import dev.sotto.keystore.prekey.PreKeyRecord;
import dev.sotto.keystore.prekey.PreKeySet;
import dev.sotto.keystore.prekey.SignedPreKeyRecord;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Installing, rotating and topping up prekeys, and key renewal ({@code resetkeys}): a new identity,
 * new prekeys, and no old session. Peers then see a changed safety number and get {@link
 * UntrustedIdentityException} until they accept the new identity.
 */
public final class KeyRenewal {
  /** How long a signed prekey is in use before rotation (DESIGN.md: weekly). */
  public static final Duration SIGNED_PREKEY_ROTATION = Duration.ofDays(7);

  /** How long a rotated-out signed prekey is still accepted (DESIGN.md: 30 days). */
  public static final Duration SIGNED_PREKEY_GRACE = Duration.ofDays(30);

  private KeyRenewal() {}

  /**
   * Makes and stores a new signed prekey, and deletes signed prekeys created more than rotation +
   * grace (37 days) ago, with their replay-cache entries. The newest signed prekey is never
   * deleted.
   *
   * @return the new signed prekey, whose public part the caller uploads
   */
  public static SignedPreKeyRecord rotateSignedPreKey(
      KeyStores stores, long nowMillis, SecureRandom random) {
    SignedPreKeyRecord fresh =
        SignedPreKeyRecord.generate(
            stores.identity().identityKeyPair(), freshSignedId(stores, random), nowMillis, random);
    stores.signedPreKeys().storeSignedPreKey(fresh);
    long cutoff = nowMillis - SIGNED_PREKEY_ROTATION.plus(SIGNED_PREKEY_GRACE).toMillis();
    for (SignedPreKeyRecord r : stores.signedPreKeys().loadSignedPreKeys()) {
      if (r.id() != fresh.id() && r.createdAtMillis() < cutoff) {
        stores.signedPreKeys().removeSignedPreKey(r.id());
        stores.replayCache().removeForSignedPreKey(r.id());
      }
    }
    return fresh;
  }

  /**
   * New one-time prekeys made by {@link #topUpOneTimePreKeys}.
   *
   * @param preKeys one-time X25519 prekeys
   * @param kemPreKeys one-time ML-KEM-768 prekeys
   */
  public record OneTimePreKeys(List<PreKeyRecord> preKeys, List<KemPreKeyRecord> kemPreKeys) {
    /** Copies the lists. */
    public OneTimePreKeys {
      preKeys = List.copyOf(preKeys);
      kemPreKeys = List.copyOf(kemPreKeys);
    }
  }

  /**
   * Makes and stores {@code count} more one-time X25519 and ML-KEM prekeys (when the server says
   * fewer than 20 are left), with ids not in use.
   *
   * @return the new prekeys, whose public parts the caller uploads
   */
  public static OneTimePreKeys topUpOneTimePreKeys(
      KeyStores stores, int count, long nowMillis, SecureRandom random) {
    IdentityKeyPair identity = stores.identity().identityKeyPair();
    List<PreKeyRecord> opks = new ArrayList<>(count);
    List<KemPreKeyRecord> kems = new ArrayList<>(count);
    while (opks.size() < count) {
      int id = PreKeyIds.random(random);
      if (stores.preKeys().loadPreKey(id).isEmpty()) {
        PreKeyRecord r = PreKeyRecord.generate(id, random);
        stores.preKeys().storePreKey(r);
        opks.add(r);
      }
    }
    while (kems.size() < count) {
      int id = PreKeyIds.random(random);
      if (stores.kemPreKeys().loadKemPreKey(id).isEmpty()) {
        KemPreKeyRecord r = KemPreKeyRecord.generate(identity, id, false, nowMillis, random);
        stores.kemPreKeys().storeKemPreKey(r);
        kems.add(r);
      }
    }
    return new OneTimePreKeys(opks, kems);
  }

  private static int freshSignedId(KeyStores stores, SecureRandom random) {
    int id;
    do {
      id = PreKeyIds.random(random);
    } while (stores.signedPreKeys().loadSignedPreKey(id).isPresent());
    return id;
  }

  /** Stores every key of {@code set}; the caller uploads their public parts. */
  public static void install(KeyStores stores, PreKeySet set) {
    stores.signedPreKeys().storeSignedPreKey(set.signedPreKey());
    stores.kemPreKeys().storeKemPreKey(set.lastResortKemPreKey());
    for (PreKeyRecord r : set.oneTimePreKeys()) {
      stores.preKeys().storePreKey(r);
    }
    for (KemPreKeyRecord r : set.oneTimeKemPreKeys()) {
      stores.kemPreKeys().storeKemPreKey(r);
    }
  }

  /**
   * Replaces the identity: deletes every session and prekey (and their replay-cache entries), makes
   * and stores a new identity and a new prekey set.
   *
   * @param count how many one-time prekeys of each kind to make
   * @return the new prekeys, to upload with the new identity
   */
  public static PreKeySet resetIdentity(
      KeyStores stores, int count, long nowMillis, SecureRandom random) {
    IdentityKeyPair identity = IdentityKeyPair.generate(random);
    stores.sessions().deleteAllSessions();
    stores.preKeys().removeAllPreKeys();
    for (SignedPreKeyRecord r : stores.signedPreKeys().loadSignedPreKeys()) {
      stores.signedPreKeys().removeSignedPreKey(r.id());
      stores.replayCache().removeForSignedPreKey(r.id());
    }
    for (KemPreKeyRecord r : stores.kemPreKeys().loadKemPreKeys()) {
      stores.kemPreKeys().removeKemPreKey(r.id());
      stores.replayCache().removeForKemPreKey(r.id());
    }
    stores.identity().replaceIdentityKeyPair(identity);
    PreKeySet set = PreKeySet.generate(identity, count, nowMillis, random);
    install(stores, set);
    return set;
  }
}
