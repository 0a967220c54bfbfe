package dev.sotto.server.mailbox;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Byte layouts of store keys: length-prefixed names and big-endian numbers, so scans sort right.
 */
final class Keys {
  static final byte[] EMPTY = new byte[0];

  private Keys() {}

  /** {@code u8 length || UTF-8 name}: one user's keys share this prefix and no other user's do. */
  static byte[] user(String user) {
    byte[] name = user.getBytes(StandardCharsets.UTF_8);
    if (name.length > 255) {
      throw new IllegalArgumentException("username too long for a key: " + name.length + " bytes");
    }
    byte[] out = new byte[1 + name.length];
    out[0] = (byte) name.length;
    System.arraycopy(name, 0, out, 1, name.length);
    return out;
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    ByteBuffer b = ByteBuffer.allocate(n);
    for (byte[] p : parts) {
      b.put(p);
    }
    return b.array();
  }

  static byte[] u64(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  static long readU64(byte[] b, int offset) {
    return ByteBuffer.wrap(b, offset, 8).getLong();
  }
}
