package dev.sotto.keystore.fingerprint;

import dev.sotto.keystore.identity.IdentityKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * The 60-digit safety number of two identities (Signal's numeric fingerprint, version 0, 5200
 * iterations of SHA-512 over {@code Ed25519 public || X25519 public} and the username; 30 digits
 * per party, the smaller first). Both parties compute the same number; reading it out and comparing
 * shows that no one substituted an identity.
 */
public final class SafetyNumber {
  /** Iterations of SHA-512. */
  public static final int ITERATIONS = 5200;

  /** Number of digits. */
  public static final int DIGITS = 60;

  private final String digits;

  private SafetyNumber(String digits) {
    this.digits = digits;
  }

  /**
   * Computes the safety number of two parties (the order of the arguments does not matter).
   *
   * @param localUsername our case-folded username
   * @param localIdentity our identity
   * @param remoteUsername the peer's case-folded username
   * @param remoteIdentity the peer's identity
   */
  public static SafetyNumber of(
      String localUsername,
      IdentityKey localIdentity,
      String remoteUsername,
      IdentityKey remoteIdentity) {
    String a = partyDigits(localUsername, localIdentity);
    String b = partyDigits(remoteUsername, remoteIdentity);
    return new SafetyNumber(a.compareTo(b) <= 0 ? a + b : b + a);
  }

  /** Returns the 30 digits of one party. */
  public static String partyDigits(String username, IdentityKey identity) {
    Objects.requireNonNull(username, "username");
    byte[] keyBytes = identity.keyBytes();
    byte[] user = username.getBytes(StandardCharsets.UTF_8);
    MessageDigest sha512;
    try {
      sha512 = MessageDigest.getInstance("SHA-512");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] hash = new byte[2 + keyBytes.length + user.length];
    System.arraycopy(keyBytes, 0, hash, 2, keyBytes.length);
    System.arraycopy(user, 0, hash, 2 + keyBytes.length, user.length);
    for (int i = 0; i < ITERATIONS; i++) {
      sha512.update(hash);
      hash = sha512.digest(keyBytes);
    }
    StringBuilder out = new StringBuilder(30);
    for (int chunk = 0; chunk < 6; chunk++) {
      long v = 0;
      for (int j = 0; j < 5; j++) {
        v = (v << 8) | (hash[chunk * 5 + j] & 0xFF);
      }
      String s = Long.toString(v % 100000);
      out.append("00000", 0, 5 - s.length()).append(s);
    }
    return out.toString();
  }

  /** Returns the 60 digits. */
  public String digits() {
    return digits;
  }

  /** Returns the digits as 12 groups of 5 separated by single spaces. */
  public String formatted() {
    StringBuilder sb = new StringBuilder(71);
    for (int i = 0; i < DIGITS; i += 5) {
      if (i > 0) {
        sb.append(' ');
      }
      sb.append(digits, i, i + 5);
    }
    return sb.toString();
  }

  /**
   * Compares with digits a person typed or read out: whitespace is ignored, anything else must be
   * exactly 60 ASCII digits, and the comparison takes the same time wherever the first difference
   * is.
   */
  public boolean matches(String typed) {
    if (typed == null) {
      return false;
    }
    StringBuilder cleaned = new StringBuilder(DIGITS);
    for (int i = 0; i < typed.length() && cleaned.length() <= DIGITS; i++) {
      char c = typed.charAt(i);
      if (Character.isWhitespace(c)) {
        continue;
      }
      if (c < '0' || c > '9') {
        return false;
      }
      cleaned.append(c);
    }
    if (cleaned.length() != DIGITS) {
      return false;
    }
    return MessageDigest.isEqual(
        cleaned.toString().getBytes(StandardCharsets.US_ASCII),
        digits.getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SafetyNumber s && matches(s.digits);
  }

  @Override
  public int hashCode() {
    return digits.hashCode();
  }

  @Override
  public String toString() {
    return formatted();
  }
}
