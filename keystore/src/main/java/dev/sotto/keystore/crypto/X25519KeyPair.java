package dev.sotto.keystore.crypto;

import dev.sotto.keystore.InvalidKeyException;
import java.security.SecureRandom;
import java.util.Arrays;

/** An immutable X25519 key pair. {@link #toString()} never shows key bytes. */
public final class X25519KeyPair {
  private final byte[] privateKey;
  private final byte[] publicKey;

  private X25519KeyPair(byte[] privateKey) {
    this.privateKey = privateKey.clone();
    this.publicKey = X25519.publicKey(this.privateKey);
  }

  private X25519KeyPair(byte[] privateKey, byte[] publicKey) {
    if (privateKey.length != X25519.KEY_LENGTH || publicKey.length != X25519.KEY_LENGTH) {
      throw new IllegalArgumentException("expected 32-byte X25519 keys");
    }
    this.privateKey = privateKey.clone();
    this.publicKey = publicKey.clone();
  }

  /**
   * Rebuilds a key pair from both halves as stored together in a local record, without recomputing
   * the public key (a scalar multiplication). Only for records this client wrote; a mismatched pair
   * makes the peer fail to decrypt, never leaks the private key.
   */
  public static X25519KeyPair fromStoredPair(byte[] privateKey, byte[] publicKey) {
    return new X25519KeyPair(privateKey, publicKey);
  }

  /** Generates a fresh key pair. */
  public static X25519KeyPair generate(SecureRandom random) {
    byte[] sk = new byte[X25519.KEY_LENGTH];
    random.nextBytes(sk);
    return new X25519KeyPair(sk);
  }

  /**
   * Rebuilds a key pair from its 32-byte private key.
   *
   * @throws IllegalArgumentException if the length is wrong
   */
  public static X25519KeyPair fromPrivate(byte[] privateKey) {
    return new X25519KeyPair(privateKey);
  }

  /** Returns a copy of the public key. */
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /** Returns a copy of the private key (for serialization of local records only). */
  public byte[] privateKey() {
    return privateKey.clone();
  }

  /**
   * Computes {@code DH(this.private, theirPublic)}.
   *
   * @throws InvalidKeyException for a malformed or small-order public key
   */
  public byte[] agree(byte[] theirPublic) throws InvalidKeyException {
    return X25519.agree(privateKey, theirPublic);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof X25519KeyPair other && Arrays.equals(privateKey, other.privateKey);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(publicKey);
  }

  @Override
  public String toString() {
    return "X25519KeyPair";
  }
}
