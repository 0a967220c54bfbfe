package dev.sotto.client.core.messaging;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The 16-byte id a sender chooses for a message (the server is idempotent on sender and id). Shown
 * as 32 lowercase hex digits.
 */
public final class MessageId {
  /** Length in bytes. */
  public static final int LENGTH = 16;

  private final byte[] bytes;

  private MessageId(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * Wraps 16 bytes (copied).
   *
   * @throws IllegalArgumentException if not 16 bytes
   */
  public static MessageId of(byte[] bytes) {
    if (bytes == null || bytes.length != LENGTH) {
      throw new IllegalArgumentException(
          "expected a 16-byte message id, got " + (bytes == null ? "none" : bytes.length));
    }
    return new MessageId(bytes.clone());
  }

  /**
   * Parses 32 hex digits.
   *
   * @throws IllegalArgumentException if not 32 hex digits
   */
  public static MessageId parse(String hex) {
    if (hex == null || hex.length() != 2 * LENGTH) {
      throw new IllegalArgumentException("expected 32 hex digits for a message id");
    }
    return of(HexFormat.of().parseHex(hex));
  }

  /** A fresh random id. */
  public static MessageId random(SecureRandom random) {
    byte[] b = new byte[LENGTH];
    random.nextBytes(b);
    return new MessageId(b);
  }

  /** The 16 bytes (a copy). */
  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MessageId m && Arrays.equals(bytes, m.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /** The 32 hex digits. */
  @Override
  public String toString() {
    return HexFormat.of().formatHex(bytes);
  }
}
