package dev.sotto.server.account;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * What the server keeps instead of a password: {@code salt2 || SHA-256(salt2 || auth_key)} with a
 * 16-byte random {@code salt2}.
 *
 * <p>Security: {@code auth_key} is the client's HKDF output over an Argon2id master key, so a
 * stolen verifier still costs an attacker one Argon2id per password guess; the salt keeps equal
 * auth keys from giving equal verifiers. {@link #matches} compares with {@link
 * MessageDigest#isEqual}, which takes time independent of where the inputs differ. {@link
 * #toString} never prints the bytes.
 */
public final class Verifier {

  /** Length of {@code auth_key}, in bytes. */
  public static final int AUTH_KEY_BYTES = 32;

  /** Length of {@code salt2}, in bytes. */
  public static final int SALT_BYTES = 16;

  /** Length of the encoded verifier, in bytes. */
  public static final int ENCODED_BYTES = SALT_BYTES + 32;

  private final byte[] encoded;

  private Verifier(byte[] encoded) {
    this.encoded = encoded;
  }

  /**
   * Makes a verifier for {@code authKey} with a fresh salt.
   *
   * @throws IllegalArgumentException unless {@code authKey} has {@value #AUTH_KEY_BYTES} bytes
   */
  public static Verifier create(byte[] authKey, SecureRandom random) {
    checkAuthKey(authKey);
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    byte[] out = new byte[ENCODED_BYTES];
    System.arraycopy(salt, 0, out, 0, SALT_BYTES);
    System.arraycopy(hash(salt, authKey), 0, out, SALT_BYTES, 32);
    return new Verifier(out);
  }

  /**
   * Reads an encoded verifier.
   *
   * @throws IllegalArgumentException unless {@code encoded} has {@value #ENCODED_BYTES} bytes
   */
  public static Verifier fromBytes(byte[] encoded) {
    if (encoded.length != ENCODED_BYTES) {
      throw new IllegalArgumentException(
          "expected " + ENCODED_BYTES + "-byte verifier, got " + encoded.length);
    }
    return new Verifier(encoded.clone());
  }

  /** The encoded form, {@code salt2 || hash}. */
  public byte[] toBytes() {
    return encoded.clone();
  }

  /**
   * Whether {@code authKey} is the key this verifier was made from, in constant time. A key of the
   * wrong length does not match (and takes the same work).
   */
  public boolean matches(byte[] authKey) {
    byte[] salt = Arrays.copyOfRange(encoded, 0, SALT_BYTES);
    byte[] expected = Arrays.copyOfRange(encoded, SALT_BYTES, ENCODED_BYTES);
    byte[] actual = hash(salt, authKey);
    return MessageDigest.isEqual(expected, actual) && authKey.length == AUTH_KEY_BYTES;
  }

  /** Whether {@code authKey} has the length of an auth key. */
  public static boolean isWellFormedAuthKey(byte[] authKey) {
    return authKey != null && authKey.length == AUTH_KEY_BYTES;
  }

  static void checkAuthKey(byte[] authKey) {
    if (!isWellFormedAuthKey(authKey)) {
      throw new IllegalArgumentException(
          "expected "
              + AUTH_KEY_BYTES
              + "-byte auth key, got "
              + (authKey == null ? "none" : authKey.length));
    }
  }

  private static byte[] hash(byte[] salt, byte[] authKey) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      sha256.update(salt);
      sha256.update(authKey);
      return sha256.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Verifier v && MessageDigest.isEqual(encoded, v.encoded);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "Verifier[redacted]";
  }
}
