package dev.sotto.keystore.crypto;

import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/** Pure Ed25519 (RFC 8032) on raw 32-byte keys; signatures are 64 bytes and deterministic. */
public final class Ed25519 {
  /** Length of public keys and private seeds. */
  public static final int KEY_LENGTH = 32;

  /** Length of a signature. */
  public static final int SIGNATURE_LENGTH = 64;

  private Ed25519() {}

  /** Returns the public key of a 32-byte private seed. */
  public static byte[] publicKey(byte[] privateSeed) {
    return new Ed25519PrivateKeyParameters(checked(privateSeed)).generatePublicKey().getEncoded();
  }

  /** Signs {@code message}. */
  public static byte[] sign(byte[] privateSeed, byte[] message) {
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(true, new Ed25519PrivateKeyParameters(checked(privateSeed)));
    signer.update(message, 0, message.length);
    return signer.generateSignature();
  }

  /**
   * Verifies a signature; any malformed input (wrong lengths, a public key not on the curve) is a
   * failed verification, never an exception.
   */
  public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
    if (publicKey == null
        || publicKey.length != KEY_LENGTH
        || signature == null
        || signature.length != SIGNATURE_LENGTH) {
      return false;
    }
    try {
      Ed25519Signer verifier = new Ed25519Signer();
      verifier.init(false, new Ed25519PublicKeyParameters(publicKey, 0));
      verifier.update(message, 0, message.length);
      return verifier.verifySignature(signature);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static byte[] checked(byte[] seed) {
    if (seed == null || seed.length != KEY_LENGTH) {
      throw new IllegalArgumentException(
          "expected 32-byte Ed25519 seed, got " + (seed == null ? "null" : seed.length));
    }
    return seed;
  }
}
