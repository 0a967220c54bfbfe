package dev.sotto.keystore.crypto;

import dev.sotto.keystore.InvalidKeyException;
import org.bouncycastle.crypto.agreement.X25519Agreement;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PublicKeyParameters;

/** X25519 (RFC 7748) on raw 32-byte keys. */
public final class X25519 {
  /** Length of public keys, private keys and shared secrets. */
  public static final int KEY_LENGTH = 32;

  private X25519() {}

  /**
   * Returns the public key of a private key.
   *
   * @param privateKey 32 bytes
   */
  public static byte[] publicKey(byte[] privateKey) {
    checkLength(privateKey, "private key");
    return new X25519PrivateKeyParameters(privateKey, 0).generatePublicKey().getEncoded();
  }

  /**
   * Computes {@code DH(privateKey, publicKey)}.
   *
   * @throws InvalidKeyException if the public key has the wrong length or the result is all zeros
   *     (a small-order public key)
   */
  public static byte[] agree(byte[] privateKey, byte[] publicKey) throws InvalidKeyException {
    checkLength(privateKey, "private key");
    if (publicKey == null || publicKey.length != KEY_LENGTH) {
      throw new InvalidKeyException(
          "expected 32-byte X25519 public key, got "
              + (publicKey == null ? "none" : publicKey.length + " bytes"));
    }
    byte[] out = new byte[KEY_LENGTH];
    try {
      X25519Agreement agreement = new X25519Agreement();
      agreement.init(new X25519PrivateKeyParameters(privateKey, 0));
      agreement.calculateAgreement(new X25519PublicKeyParameters(publicKey, 0), out, 0);
    } catch (IllegalStateException e) {
      throw new InvalidKeyException("X25519 shared secret is all zeros (small-order public key)");
    }
    int acc = 0;
    for (byte b : out) {
      acc |= b;
    }
    if (acc == 0) {
      throw new InvalidKeyException("X25519 shared secret is all zeros (small-order public key)");
    }
    return out;
  }

  private static void checkLength(byte[] key, String what) {
    if (key == null || key.length != KEY_LENGTH) {
      throw new IllegalArgumentException(
          "expected 32-byte X25519 " + what + ", got " + (key == null ? "null" : key.length));
    }
  }
}
