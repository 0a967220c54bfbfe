package dev.sotto.client.core;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * A server's identity as Sotto pins it: SHA-256 of the DER SubjectPublicKeyInfo of its certificate
 * (so a certificate renewed over the same key keeps its fingerprint). Shown as the server prints it
 * at start, {@code sha256-spki} and 64 lower-case hex digits ({@link #toString}); {@link #parse}
 * takes the digits alone or that whole text, in any case, with ':' separators or a {@code sha256:}
 * prefix, the forms people copy from server output and logs.
 */
public final class Fingerprint {

  /** Length of the digest in bytes. */
  public static final int LENGTH = 32;

  /** The label before the hex digits, as the server prints it: it names what is hashed. */
  public static final String LABEL = "sha256-spki";

  private static final HexFormat HEX = HexFormat.of();

  private final byte[] sha256;

  private Fingerprint(byte[] sha256) {
    this.sha256 = sha256;
  }

  /**
   * Wraps a 32-byte digest (copied).
   *
   * @throws IllegalArgumentException if it is not 32 bytes
   */
  public static Fingerprint of(byte[] sha256) {
    if (sha256.length != LENGTH) {
      throw new IllegalArgumentException(
          "expected a " + LENGTH + "-byte SHA-256 fingerprint, got " + sha256.length);
    }
    return new Fingerprint(sha256.clone());
  }

  /** The fingerprint of {@code certificate}'s public key. */
  public static Fingerprint of(X509Certificate certificate) {
    try {
      return new Fingerprint(
          MessageDigest.getInstance("SHA-256").digest(certificate.getPublicKey().getEncoded()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
  }

  /**
   * Parses 64 hex digits, optionally with ':' separators and a {@code sha256-spki} (followed by a
   * space or ':') or {@code sha256:} prefix.
   *
   * @throws IllegalArgumentException saying what was expected
   */
  public static Fingerprint parse(String text) {
    Objects.requireNonNull(text, "text");
    String s = text.trim().toLowerCase(Locale.ROOT);
    if (s.startsWith(LABEL)) {
      s = s.substring(LABEL.length()).stripLeading();
    } else if (s.startsWith("sha256:")) {
      s = s.substring("sha256:".length());
    }
    s = s.replace(":", "");
    if (s.length() != 2 * LENGTH || !s.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      throw new IllegalArgumentException(
          "expected a SHA-256 fingerprint of 64 hex digits, got '" + text.trim() + "'");
    }
    return new Fingerprint(HEX.parseHex(s));
  }

  /** A copy of the digest. */
  public byte[] bytes() {
    return sha256.clone();
  }

  /** 64 lower-case hex digits. */
  public String hex() {
    return HEX.formatHex(sha256);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Fingerprint other && MessageDigest.isEqual(sha256, other.sha256);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(sha256);
  }

  /** {@code sha256-spki}, a space and the hex digits: what the server prints at start. */
  @Override
  public String toString() {
    return LABEL + " " + hex();
  }
}
