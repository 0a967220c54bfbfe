package dev.sotto.bench.load;

import com.google.protobuf.ByteString;
import dev.sotto.keystore.KeyRenewal;
import dev.sotto.keystore.KeyStores;
import dev.sotto.keystore.KeystoreException;
import dev.sotto.keystore.ProtocolAddress;
import dev.sotto.keystore.SessionBuilder;
import dev.sotto.keystore.SessionCipher;
import dev.sotto.keystore.identity.IdentityKeyPair;
import dev.sotto.keystore.prekey.PreKeyBundle;
import dev.sotto.keystore.prekey.PreKeySet;
import dev.sotto.keystore.ratchet.Padding;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Real Double Ratchet ciphertexts made up front, per pair and direction, with the keystore's {@link
 * SessionBuilder} and {@link SessionCipher}: a PQXDH session from a bundle, one message each way
 * (so that both sides have left the PreKeyMessage stage), then {@code perDirection} ratchet
 * messages each way. The load generator cycles through them: encrypting on the fly would make the
 * client side the bottleneck. Ciphertext sizes come in padding buckets of {@value Padding#BUCKET}
 * bytes plus the ratchet header, so the size used is the one nearest the target.
 */
final class Ciphertexts {
  private final Payload[][] pool; // [connection index][k], messages from that connection
  private final int size;
  private final int[] next;

  private Ciphertexts(Payload[][] pool, int size) {
    this.pool = pool;
    this.size = size;
    this.next = new int[pool.length];
  }

  /** The ciphertext length in bytes. */
  int size() {
    return size;
  }

  /** The next ciphertext from connection {@code from} to its partner. */
  Payload next(int from) {
    Payload[] mine = pool[from];
    int k = next[from];
    next[from] = k + 1 == mine.length ? 0 : k + 1;
    return mine[k];
  }

  /**
   * Makes ciphertexts for {@code pairs} pairs (connections {@code 2p} and {@code 2p + 1}).
   *
   * @param targetSize the wanted ciphertext length
   */
  static Ciphertexts make(int pairs, int targetSize, int perDirection, SecureRandom random)
      throws KeystoreException {
    Payload[][] pool = new Payload[2 * pairs][perDirection];
    int plaintext = -1;
    int size = -1;
    for (int p = 0; p < pairs; p++) {
      ProtocolAddress aliceAddr = new ProtocolAddress("a" + p, 1);
      ProtocolAddress bobAddr = new ProtocolAddress("b" + p, 1);
      KeyStores alice = KeyStores.inMemory(IdentityKeyPair.generate(random));
      KeyStores bob = KeyStores.inMemory(IdentityKeyPair.generate(random));
      PreKeySet bobKeys =
          PreKeySet.generate(
              bob.identity().identityKeyPair(), 0, System.currentTimeMillis(), random);
      KeyRenewal.install(bob, bobKeys);
      new SessionBuilder(alice, random)
          .process(
              bobAddr,
              PreKeyBundle.of(
                  1,
                  bob.identity().identityKeyPair().publicKey(),
                  bobKeys.signedPreKey(),
                  null,
                  bobKeys.lastResortKemPreKey()));
      SessionCipher aliceCipher = new SessionCipher(alice, random);
      SessionCipher bobCipher = new SessionCipher(bob, random);
      bobCipher.decrypt(aliceAddr, aliceCipher.encrypt(bobAddr, new byte[] {1}));
      aliceCipher.decrypt(bobAddr, bobCipher.encrypt(aliceAddr, new byte[] {2}));
      if (plaintext < 0) {
        int overhead = aliceCipher.encrypt(bobAddr, new byte[1]).length - Padding.BUCKET;
        int buckets = Math.max(1, Math.round((targetSize - overhead) / (float) Padding.BUCKET));
        plaintext = buckets * Padding.BUCKET - 1;
      }
      byte[] text = new byte[plaintext];
      for (int k = 0; k < perDirection; k++) {
        random.nextBytes(text);
        pool[2 * p][k] = payload(aliceCipher.encrypt(bobAddr, text));
        random.nextBytes(text);
        pool[2 * p + 1][k] = payload(bobCipher.encrypt(aliceAddr, text));
        size = pool[2 * p][k].bytes().size();
      }
    }
    return new Ciphertexts(pool, size);
  }

  private static Payload payload(byte[] ciphertext) {
    return new Payload(
        ByteString.copyFrom(ciphertext), Base64.getEncoder().encodeToString(ciphertext));
  }
}
