package dev.sotto.keystore;

import dev.sotto.keystore.identity.IdentityKeyPair;
import dev.sotto.keystore.prekey.KemPreKeyRecord;
import dev.sotto.keystore.prekey.PreKeyBundle;
import dev.sotto.keystore.prekey.PreKeyRecord;
import dev.sotto.keystore.prekey.PreKeySet;
import dev.sotto.keystore.state.InMemoryReplayCacheStore;
import dev.sotto.keystore.state.InMemorySessionStore;
import java.security.SecureRandom;

/** One test user: in-memory stores, a cipher, a builder, and a server-like supply of bundles. */
final class Party {
  final String name;
  final ProtocolAddress address;
  final KeyStores stores;
  final SessionCipher cipher;
  final SessionBuilder builder;
  PreKeySet keys;
  private int nextOneTime;

  Party(String name, SecureRandom random, int oneTimeCount) {
    this(name, random, oneTimeCount, new InMemoryReplayCacheStore());
  }

  /** A party whose replay cache is {@code replayCache} (e.g. one with a small capacity). */
  Party(String name, SecureRandom random, int oneTimeCount, InMemoryReplayCacheStore replayCache) {
    this.name = name;
    this.address = new ProtocolAddress(name, 1);
    KeyStores mem = KeyStores.inMemory(IdentityKeyPair.generate(random));
    this.stores =
        new KeyStores(
            mem.identity(),
            mem.preKeys(),
            mem.signedPreKeys(),
            mem.kemPreKeys(),
            mem.sessions(),
            replayCache);
    this.cipher = new SessionCipher(stores, random);
    this.builder = new SessionBuilder(stores, random);
    this.keys = PreKeySet.generate(stores.identity().identityKeyPair(), oneTimeCount, 0, random);
    KeyRenewal.install(stores, keys);
  }

  /** Hands out a bundle as the server would: each one-time key once, then last-resort only. */
  PreKeyBundle bundle() {
    PreKeyRecord opk = null;
    KemPreKeyRecord kem = keys.lastResortKemPreKey();
    if (nextOneTime < keys.oneTimePreKeys().size()) {
      opk = keys.oneTimePreKeys().get(nextOneTime);
      kem = keys.oneTimeKemPreKeys().get(nextOneTime);
      nextOneTime++;
    }
    return PreKeyBundle.of(
        1, stores.identity().identityKeyPair().publicKey(), keys.signedPreKey(), opk, kem);
  }

  /** A bundle with only the signed prekey and the last-resort KEM prekey. */
  PreKeyBundle lastResortBundle() {
    return PreKeyBundle.of(
        1,
        stores.identity().identityKeyPair().publicKey(),
        keys.signedPreKey(),
        null,
        keys.lastResortKemPreKey());
  }

  /** Starts a session with {@code other} from one of its bundles. */
  void startSessionWith(Party other) throws Exception {
    builder.process(other.address, other.bundle());
  }

  byte[] sessionBytes(ProtocolAddress peer) {
    return ((InMemorySessionStore) stores.sessions()).rawSession(peer);
  }

  int replayCacheSize() {
    return ((InMemoryReplayCacheStore) stores.replayCache()).size();
  }
}
