package dev.sotto.keystore.crypto;

import dev.sotto.keystore.InvalidKeyException;
import dev.sotto.keystore.InvalidMessageException;
import java.security.SecureRandom;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.crypto.kems.MLKEMExtractor;
import org.bouncycastle.crypto.kems.MLKEMGenerator;
import org.bouncycastle.crypto.params.MLKEMParameters;
import org.bouncycastle.crypto.params.MLKEMPrivateKeyParameters;
import org.bouncycastle.crypto.params.MLKEMPublicKeyParameters;

/**
 * ML-KEM-768 (FIPS 203). Private keys are kept as the 64-byte seed {@code d || z}.
 *
 * <p>Security guarantees: IND-CCA2 key encapsulation believed secure against quantum computers.
 * Every encapsulation key from a peer passes {@link #checkEncapsulationKey} (FIPS 203 section 7.2)
 * here rather than relying on the library, and ciphertexts of any length but 1088 are refused
 * before decapsulation.
 */
public final class MlKem768 {
  /** Length of an encapsulation (public) key. */
  public static final int PUBLIC_KEY_LENGTH = 1184;

  /** Length of a ciphertext. */
  public static final int CIPHERTEXT_LENGTH = 1088;

  /** Length of the private seed {@code d || z}. */
  public static final int SEED_LENGTH = 64;

  /** Length of the shared secret. */
  public static final int SHARED_SECRET_LENGTH = 32;

  private static final int T_LENGTH = 1152;
  private static final int Q = 3329;

  private MlKem768() {}

  /** A ciphertext and the shared secret it carries. */
  public record Encapsulation(byte[] ciphertext, byte[] sharedSecret) {
    @Override
    public String toString() {
      return "Encapsulation";
    }
  }

  /** Returns a fresh random 64-byte seed. */
  public static byte[] generateSeed(SecureRandom random) {
    byte[] seed = new byte[SEED_LENGTH];
    random.nextBytes(seed);
    return seed;
  }

  /** Returns the encapsulation key of a seed ({@code ML-KEM.KeyGen_internal(d, z)}). */
  public static byte[] publicKey(byte[] seed) {
    return privateParameters(seed).getPublicKey();
  }

  /**
   * Checks an encapsulation key as FIPS 203 section 7.2 requires: length 1184 and every 12-bit
   * coefficient of the first 1152 bytes below q = 3329.
   *
   * @throws InvalidKeyException if the check fails
   */
  public static void checkEncapsulationKey(byte[] ek) throws InvalidKeyException {
    if (ek == null || ek.length != PUBLIC_KEY_LENGTH) {
      throw new InvalidKeyException(
          "expected 1184-byte ML-KEM-768 key, got " + (ek == null ? "none" : ek.length + " bytes"));
    }
    int bad = 0;
    for (int i = 0; i < T_LENGTH; i += 3) {
      int b0 = ek[i] & 0xFF;
      int b1 = ek[i + 1] & 0xFF;
      int b2 = ek[i + 2] & 0xFF;
      int c0 = b0 | ((b1 & 0x0F) << 8);
      int c1 = (b1 >>> 4) | (b2 << 4);
      bad |= (Q - 1 - c0) | (Q - 1 - c1);
    }
    if (bad < 0) {
      throw new InvalidKeyException("ML-KEM-768 key fails the modulus check (coefficient >= 3329)");
    }
  }

  /**
   * Encapsulates to a checked encapsulation key.
   *
   * @throws InvalidKeyException if the key fails {@link #checkEncapsulationKey}
   */
  public static Encapsulation encapsulate(byte[] ek, SecureRandom random)
      throws InvalidKeyException {
    checkEncapsulationKey(ek);
    MLKEMPublicKeyParameters pub;
    try {
      pub = new MLKEMPublicKeyParameters(MLKEMParameters.ml_kem_768, ek);
    } catch (IllegalArgumentException e) {
      throw new InvalidKeyException("ML-KEM-768 key rejected: " + e.getMessage());
    }
    SecretWithEncapsulation result = new MLKEMGenerator(random).generateEncapsulated(pub);
    return new Encapsulation(result.getEncapsulation(), result.getSecret());
  }

  /**
   * Encapsulates with fixed randomness {@code m} (FIPS 203 {@code ML-KEM.Encaps_internal}); for
   * tests against published vectors only.
   *
   * @throws InvalidKeyException if the key fails {@link #checkEncapsulationKey}
   */
  public static Encapsulation encapsulateDeterministic(byte[] ek, byte[] m)
      throws InvalidKeyException {
    checkEncapsulationKey(ek);
    SecretWithEncapsulation result =
        MLKEMGenerator.internalGenerateEncapsulated(
            new MLKEMPublicKeyParameters(MLKEMParameters.ml_kem_768, ek), m);
    return new Encapsulation(result.getEncapsulation(), result.getSecret());
  }

  /**
   * Decapsulates a ciphertext with the private seed.
   *
   * @throws InvalidMessageException if the ciphertext is not exactly 1088 bytes
   */
  public static byte[] decapsulate(byte[] seed, byte[] ciphertext) throws InvalidMessageException {
    if (ciphertext == null || ciphertext.length != CIPHERTEXT_LENGTH) {
      throw new InvalidMessageException(
          "expected 1088-byte ML-KEM-768 ciphertext, got "
              + (ciphertext == null ? "none" : ciphertext.length + " bytes"));
    }
    return decapsulate(privateParameters(seed), ciphertext);
  }

  /** Decapsulates with an expanded private key ({@link #expand}); checks the length as above. */
  static byte[] decapsulate(MLKEMPrivateKeyParameters key, byte[] ciphertext)
      throws InvalidMessageException {
    if (ciphertext == null || ciphertext.length != CIPHERTEXT_LENGTH) {
      throw new InvalidMessageException(
          "expected 1088-byte ML-KEM-768 ciphertext, got "
              + (ciphertext == null ? "none" : ciphertext.length + " bytes"));
    }
    return new MLKEMExtractor(key).extractSecret(ciphertext);
  }

  /** Expands a 64-byte seed into the private key (with its public key). */
  static MLKEMPrivateKeyParameters expand(byte[] seed) {
    return privateParameters(seed);
  }

  private static MLKEMPrivateKeyParameters privateParameters(byte[] seed) {
    if (seed == null || seed.length != SEED_LENGTH) {
      throw new IllegalArgumentException(
          "expected 64-byte ML-KEM seed, got " + (seed == null ? "null" : seed.length));
    }
    return new MLKEMPrivateKeyParameters(MLKEMParameters.ml_kem_768, seed);
  }
}
