package dev.sotto.keystore.prekey;

import java.security.SecureRandom;

/** Prekey ids: u32 in {@code 1 ..= 2^31 - 1}; 0 means absent. */
public final class PreKeyIds {
  /** The largest valid id. */
  public static final int MAX = Integer.MAX_VALUE;

  private PreKeyIds() {}

  /** Returns whether {@code id} is a valid prekey id. */
  public static boolean isValid(int id) {
    return id >= 1;
  }

  /** Returns a random valid id. */
  public static int random(SecureRandom random) {
    return 1 + random.nextInt(MAX);
  }

  static int checked(int id) {
    if (!isValid(id)) {
      throw new IllegalArgumentException("expected prekey id in 1..2^31-1, got " + id);
    }
    return id;
  }

  static byte[] idAnd(int id, byte[] key) {
    byte[] out = new byte[4 + key.length];
    out[0] = (byte) (id >>> 24);
    out[1] = (byte) (id >>> 16);
    out[2] = (byte) (id >>> 8);
    out[3] = (byte) id;
    System.arraycopy(key, 0, out, 4, key.length);
    return out;
  }
}
