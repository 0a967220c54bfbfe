package dev.sotto.keystore.crypto;

import dev.sotto.keystore.InvalidKeyException;
import java.security.SecureRandom;
import java.util.Arrays;

/** An immutable X25519 key pair. {@link #toString()} never shows key bytes. */
public final class X25519KeyPair {
  private final byte[] privateKey;

  /**
   * Computed on first use (a scalar multiplication): a responder that loads a prekey only to agree
   * with it never needs its public half. Deterministic, so a race computes the same bytes twice.
   */
  private volatile byte[] publicKey;

  private X25519KeyPair(byte[] privateKey) {
    if (privateKey == null || privateKey.length != X25519.KEY_LENGTH) {
      throw new IllegalArgumentException(
          "expected 32-byte X25519 private key, got "
              + (privateKey == null ? "null" : privateKey.length));
    }
    this.privateKey = privateKey.clone();
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
    return publicKeyBytes().clone();
  }

  private byte[] publicKeyBytes() {
    byte[] p = publicKey;
    if (p == null) {
      p = X25519.publicKey(privateKey);
      publicKey = p;
    }
    return p;
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
    return Arrays.hashCode(publicKeyBytes());
  }

  @Override
  public String toString() {
    return "X25519KeyPair";
  }
}
