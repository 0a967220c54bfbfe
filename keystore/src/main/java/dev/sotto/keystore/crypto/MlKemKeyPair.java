package dev.sotto.keystore.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.params.MLKEMPrivateKeyParameters;

/**
 * An immutable ML-KEM-768 key pair kept as its 64-byte seed. {@link #toString()} shows no bytes.
 */
public final class MlKemKeyPair {
  private final byte[] seed;

  /**
   * The key expanded from the seed ({@code ML-KEM.KeyGen_internal}), computed once on first use:
   * decapsulation and the public key share it, and a key loaded only to decapsulate expands once.
   */
  private volatile MLKEMPrivateKeyParameters expanded;

  private MlKemKeyPair(byte[] seed) {
    if (seed == null || seed.length != MlKem768.SEED_LENGTH) {
      throw new IllegalArgumentException(
          "expected 64-byte ML-KEM seed, got " + (seed == null ? "null" : seed.length));
    }
    this.seed = seed.clone();
  }

  private MLKEMPrivateKeyParameters expanded() {
    MLKEMPrivateKeyParameters e = expanded;
    if (e == null) {
      e = MlKem768.expand(seed);
      expanded = e;
    }
    return e;
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
    return expanded().getPublicKey();
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
    return MlKem768.decapsulate(expanded(), ciphertext);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MlKemKeyPair other && Arrays.equals(seed, other.seed);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(publicKey());
  }

  @Override
  public String toString() {
    return "MlKemKeyPair";
  }
}
