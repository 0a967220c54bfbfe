package dev.sotto.keystore.codec;

import java.io.ByteArrayOutputStream;

/** Writes the fixed big-endian layouts of PROTOCOL.md. */
public final class ByteWriter {
  private final ByteArrayOutputStream out;

  /**
   * Creates a writer.
   *
   * @param expectedSize a capacity hint
   */
  public ByteWriter(int expectedSize) {
    out = new ByteArrayOutputStream(expectedSize);
  }

  /** Appends one byte (the low 8 bits of {@code v}). */
  public ByteWriter u8(int v) {
    out.write(v);
    return this;
  }

  /** Appends a big-endian 16-bit value. */
  public ByteWriter u16(int v) {
    out.write(v >>> 8);
    out.write(v);
    return this;
  }

  /** Appends a big-endian 32-bit value. */
  public ByteWriter u32(int v) {
    out.write(v >>> 24);
    out.write(v >>> 16);
    out.write(v >>> 8);
    out.write(v);
    return this;
  }

  /** Appends a big-endian 64-bit value. */
  public ByteWriter u64(long v) {
    u32((int) (v >>> 32));
    return u32((int) v);
  }

  /** Appends bytes. */
  public ByteWriter bytes(byte[] b) {
    out.write(b, 0, b.length);
    return this;
  }

  /** Returns what was written. */
  public byte[] toByteArray() {
    return out.toByteArray();
  }

  /** Returns {@code a || b || ...}. */
  public static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
