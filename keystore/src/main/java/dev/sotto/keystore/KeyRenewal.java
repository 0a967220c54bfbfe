package dev.sotto.keystore;

import dev.sotto.keystore.identity.IdentityKeyPair;
import dev.sotto.keystore.prekey.KemPreKeyRecord;
import dev.sotto.keystore.prekey.PreKeyRecord;
import dev.sotto.keystore.prekey.PreKeySet;
import dev.sotto.keystore.prekey.SignedPreKeyRecord;
import java.security.SecureRandom;

/**
 * Installing prekeys, and key renewal ({@code resetkeys}): a new identity, new prekeys, and no old
 * session. Peers then see a changed safety number and get {@link UntrustedIdentityException} until
 * they accept the new identity.
 */
public final class KeyRenewal {
  private KeyRenewal() {}

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
