package dev.sotto.keystore.identity;

import dev.sotto.keystore.InvalidKeyException;
import dev.sotto.keystore.crypto.SignatureContext;
import dev.sotto.keystore.crypto.X25519;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * A public identity: Ed25519 key, X25519 key, and the Ed25519 signature binding them (context
 * {@code Sotto_IdentityKey_v1}). Encoded as 128 bytes: {@code ed25519 (32) || x25519 (32) ||
 * signature (64)}.
 *
 * <p>Instances always hold a verified binding: {@link #decode} checks the signature. Equality
 * compares the two keys (the first 64 bytes) only. {@link #toString()} shows no key bytes.
 */
public final class IdentityKey {
  /** Length of the encoding. */
  public static final int LENGTH = 128;

  /** Length of {@link #keyBytes()}: Ed25519 public || X25519 public. */
  public static final int KEY_BYTES_LENGTH = 64;

  private final byte[] encoded;

  private IdentityKey(byte[] encoded) {
    this.encoded = encoded;
  }

  /**
   * Parses and verifies a 128-byte identity key.
   *
   * @throws InvalidKeyException on a wrong length or a binding signature that does not verify
   */
  public static IdentityKey decode(byte[] encoded) throws InvalidKeyException {
    if (encoded == null || encoded.length != LENGTH) {
      throw new InvalidKeyException(
          "expected 128-byte identity key, got "
              + (encoded == null ? "none" : encoded.length + " bytes"));
    }
    byte[] copy = encoded.clone();
    IdentityKey key = new IdentityKey(copy);
    if (!X25519.isCanonical(key.agreementKey())) {
      throw new InvalidKeyException("identity X25519 key is not canonical");
    }
    if (!SignatureContext.IDENTITY_KEY.verify(
        key.signingKey(), key.agreementKey(), Arrays.copyOfRange(copy, 64, 128))) {
      throw new InvalidKeyException("identity key signature does not verify");
    }
    return key;
  }

  static IdentityKey ofVerified(byte[] encoded) {
    return new IdentityKey(encoded.clone());
  }

  /** Returns the 128-byte encoding. */
  public byte[] serialize() {
    return encoded.clone();
  }

  /** Returns the Ed25519 public key. */
  public byte[] signingKey() {
    return Arrays.copyOfRange(encoded, 0, 32);
  }

  /** Returns the X25519 public key. */
  public byte[] agreementKey() {
    return Arrays.copyOfRange(encoded, 32, 64);
  }

  /** Returns {@code Ed25519 public || X25519 public}, the bytes used in AD and safety numbers. */
  public byte[] keyBytes() {
    return Arrays.copyOfRange(encoded, 0, KEY_BYTES_LENGTH);
  }

  /**
   * Verifies a signature made by this identity in a context.
   *
   * @return whether it verifies
   */
  public boolean verify(SignatureContext context, byte[] data, byte[] signature) {
    return context.verify(signingKey(), data, signature);
  }

  /** Compares this identity's keys with 64 key bytes in constant time. */
  public boolean hasKeyBytes(byte[] keyBytes) {
    return MessageDigest.isEqual(keyBytes(), keyBytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IdentityKey other && MessageDigest.isEqual(keyBytes(), other.keyBytes());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(keyBytes());
  }

  @Override
  public String toString() {
    return "IdentityKey";
  }
}
