package dev.sotto.keystore.codec;

import java.util.Arrays;

/**
 * A bounds-checked reader over a byte array for the fixed layouts of PROTOCOL.md. Every read that
 * would pass the end throws {@link MalformedException}; parsers catch it at their boundary and
 * rethrow their declared checked exception.
 */
public final class ByteReader {
  private final byte[] data;
  private int position;

  /**
   * Reads {@code data} from its start; the array is not copied, so callers must not change it.
   *
   * @param data the bytes to read
   */
  public ByteReader(byte[] data) {
    this.data = data;
  }

  /** Returns the next unsigned byte. */
  public int u8() {
    need(1);
    return data[position++] & 0xFF;
  }

  /** Returns the next big-endian unsigned 16-bit value. */
  public int u16() {
    need(2);
    int v = ((data[position] & 0xFF) << 8) | (data[position + 1] & 0xFF);
    position += 2;
    return v;
  }

  /** Returns the next big-endian 32-bit value as a signed int (callers bound it). */
  public int u32() {
    need(4);
    int v =
        ((data[position] & 0xFF) << 24)
            | ((data[position + 1] & 0xFF) << 16)
            | ((data[position + 2] & 0xFF) << 8)
            | (data[position + 3] & 0xFF);
    position += 4;
    return v;
  }

  /** Returns the next big-endian 64-bit value. */
  public long u64() {
    long hi = u32() & 0xFFFFFFFFL;
    long lo = u32() & 0xFFFFFFFFL;
    return (hi << 32) | lo;
  }

  /**
   * Returns a copy of the next {@code n} bytes.
   *
   * @param n how many bytes
   */
  public byte[] bytes(int n) {
    need(n);
    byte[] out = Arrays.copyOfRange(data, position, position + n);
    position += n;
    return out;
  }

  /** Returns a copy of all remaining bytes. */
  public byte[] rest() {
    return bytes(remaining());
  }

  /** Returns how many bytes are left. */
  public int remaining() {
    return data.length - position;
  }

  /** Throws unless every byte was read. */
  public void end() {
    if (position != data.length) {
      throw new MalformedException(
          "expected end of data, " + (data.length - position) + " trailing bytes");
    }
  }

  private void need(int n) {
    if (n < 0 || data.length - position < n) {
      throw new MalformedException(
          "truncated: needed " + n + " bytes at offset " + position + ", have " + remaining());
    }
  }
}
