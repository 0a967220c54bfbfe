package dev.sotto.keystore.ratchet;

import dev.sotto.keystore.InvalidMessageException;
import java.util.Arrays;

/**
 * Pads plaintexts to multiples of 160 bytes: {@code pt || 0x80 || 0x00*}, at least one byte of
 * padding, so the server learns the size bucket only.
 */
public final class Padding {
  /** The bucket size. */
  public static final int BUCKET = 160;

  /** The largest padded plaintext (1638 buckets). */
  public static final int MAX_PADDED = 1638 * BUCKET;

  /** The largest plaintext. */
  public static final int MAX_PLAINTEXT = MAX_PADDED - 1;

  private Padding() {}

  /**
   * Pads a plaintext.
   *
   * @throws IllegalArgumentException if longer than {@link #MAX_PLAINTEXT}
   */
  public static byte[] pad(byte[] plaintext) {
    if (plaintext.length > MAX_PLAINTEXT) {
      throw new IllegalArgumentException(
          "plaintext of " + plaintext.length + " bytes exceeds " + MAX_PLAINTEXT);
    }
    byte[] out = new byte[BUCKET * (plaintext.length / BUCKET + 1)];
    System.arraycopy(plaintext, 0, out, 0, plaintext.length);
    out[plaintext.length] = (byte) 0x80;
    return out;
  }

  /**
   * Removes the padding.
   *
   * @throws InvalidMessageException if the padding is malformed
   */
  public static byte[] unpad(byte[] padded) throws InvalidMessageException {
    if (padded.length == 0 || padded.length % BUCKET != 0 || padded.length > MAX_PADDED) {
      throw new InvalidMessageException("padded plaintext has invalid length " + padded.length);
    }
    int i = padded.length - 1;
    while (i >= 0 && padded[i] == 0) {
      i--;
    }
    if (i < 0 || padded[i] != (byte) 0x80 || padded.length - i > BUCKET) {
      throw new InvalidMessageException("invalid padding");
    }
    return Arrays.copyOf(padded, i);
  }
}
