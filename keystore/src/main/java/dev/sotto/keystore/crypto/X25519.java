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

  /**
   * Returns whether a public key is the canonical encoding of its u-coordinate: 32 bytes, top bit
   * clear, value below 2^255 - 19. X25519 itself ignores the top bit and reduces modulo p, so a
   * non-canonical key computes the same secrets as its canonical twin; the protocol refuses such
   * keys wherever it receives one, so no received key has two encodings (which would defeat the
   * replay cache).
   */
  public static boolean isCanonical(byte[] publicKey) {
    if (publicKey == null || publicKey.length != KEY_LENGTH || (publicKey[31] & 0x80) != 0) {
      return false;
    }
    if ((publicKey[31] & 0xFF) != 0x7F || (publicKey[0] & 0xFF) < 0xED) {
      return true;
    }
    for (int i = 1; i < 31; i++) {
      if ((publicKey[i] & 0xFF) != 0xFF) {
        return true;
      }
    }
    return false;
  }

  private static void checkLength(byte[] key, String what) {
    if (key == null || key.length != KEY_LENGTH) {
      throw new IllegalArgumentException(
          "expected 32-byte X25519 " + what + ", got " + (key == null ? "null" : key.length));
    }
  }
}
