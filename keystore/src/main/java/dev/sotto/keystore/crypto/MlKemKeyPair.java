package dev.sotto.keystore.crypto;

import java.security.SecureRandom;
import java.util.Arrays;

/**
 * An immutable ML-KEM-768 key pair kept as its 64-byte seed. {@link #toString()} shows no bytes.
 */
public final class MlKemKeyPair {
  private final byte[] seed;
  private final byte[] publicKey;

  private MlKemKeyPair(byte[] seed) {
    this.seed = seed.clone();
    this.publicKey = MlKem768.publicKey(this.seed);
  }

  /** Generates a fresh key pair. */
  public static MlKemKeyPair generate(SecureRandom random) {
    return new MlKemKeyPair(MlKem768.generateSeed(random));
  }

  /** Rebuilds a key pair from its 64-byte seed. */
  public static MlKemKeyPair fromSeed(byte[] seed) {
    return new MlKemKeyPair(seed);
  }

  /** Returns a copy of the 1184-byte encapsulation key. */
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /** Returns a copy of the seed (for serialization of local records only). */
  public byte[] seed() {
    return seed.clone();
  }

  /**
   * Decapsulates.
   *
   * @throws dev.sotto.keystore.InvalidMessageException if the ciphertext is not 1088 bytes
   */
  public byte[] decapsulate(byte[] ciphertext) throws dev.sotto.keystore.InvalidMessageException {
    return MlKem768.decapsulate(seed, ciphertext);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MlKemKeyPair other && Arrays.equals(seed, other.seed);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(publicKey);
  }

  @Override
  public String toString() {
    return "MlKemKeyPair";
  }
}
