package dev.sotto.server.mailbox;

import java.util.Arrays;
import java.util.HexFormat;

/** The 16 random bytes a sender picks for each envelope; the server is idempotent on it. */
public final class MessageId {
  /** Length of every message id in bytes. */
  public static final int LENGTH = 16;

  private final byte[] bytes;

  private MessageId(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * Wraps a copy of {@code bytes}.
   *
   * @throws IllegalArgumentException unless {@code bytes} is exactly 16 bytes long
   */
  public static MessageId of(byte[] bytes) {
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException(
          "expected a " + LENGTH + "-byte message id, got " + bytes.length);
    }
    return new MessageId(bytes.clone());
  }

  /** A copy of the id's bytes. */
  public byte[] toBytes() {
    return bytes.clone();
  }

  byte[] rawBytes() {
    return bytes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MessageId other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return HexFormat.of().formatHex(bytes);
  }
}
