package dev.sotto.bench.keystore;

import dev.sotto.keystore.KeyRenewal;
import dev.sotto.keystore.KeyStores;
import dev.sotto.keystore.ProtocolAddress;
import dev.sotto.keystore.SessionBuilder;
import dev.sotto.keystore.SessionCipher;
import dev.sotto.keystore.identity.IdentityKeyPair;
import dev.sotto.keystore.prekey.PreKeyBundle;
import dev.sotto.keystore.prekey.PreKeySet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.stream.Stream;

/** Shared set-up of the keystore benchmarks: in-memory users, message sizes, temp directories. */
final class Fixtures {
  /** The session AD (two 64-byte identities and the version) plus the 41-byte header. */
  static final int AEAD_AD_LENGTH = 129 + 41;

  private Fixtures() {}

  /** One user on in-memory stores, with one one-time prekey of each kind. */
  static final class User {
    final ProtocolAddress address;
    final KeyStores stores;
    final SessionCipher cipher;
    final SessionBuilder builder;
    final PreKeySet keys;

    User(String name, SecureRandom random) {
      this.address = new ProtocolAddress(name, 1);
      this.stores = KeyStores.inMemory(IdentityKeyPair.generate(random));
      this.cipher = new SessionCipher(stores, random);
      this.builder = new SessionBuilder(stores, random);
      this.keys = PreKeySet.generate(stores.identity().identityKeyPair(), 1, 0, random);
      KeyRenewal.install(stores, keys);
    }

    /** The bundle with the one-time X25519 and ML-KEM prekeys (the usual case: DH4 present). */
    PreKeyBundle bundle() {
      return PreKeyBundle.of(
          1,
          stores.identity().identityKeyPair().publicKey(),
          keys.signedPreKey(),
          keys.oneTimePreKeys().get(0),
          keys.oneTimeKemPreKeys().get(0));
    }

    /** Puts back the one-time prekeys a session set-up consumed. */
    void restoreOneTimePreKeys() {
      stores.preKeys().storePreKey(keys.oneTimePreKeys().get(0));
      stores.kemPreKeys().storeKemPreKey(keys.oneTimeKemPreKeys().get(0));
    }
  }

  /** Alice and Bob with a confirmed session (each has sent and received), so no PreKeyMessages. */
  static User[] conversing(SecureRandom random) throws Exception {
    User alice = new User("alice", random);
    User bob = new User("bob", random);
    alice.builder.process(bob.address, bob.bundle());
    bob.cipher.decrypt(alice.address, alice.cipher.encrypt(bob.address, new byte[] {1}));
    alice.cipher.decrypt(bob.address, bob.cipher.encrypt(alice.address, new byte[] {2}));
    return new User[] {alice, bob};
  }

  static byte[] bytes(int n, SecureRandom random) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
