package dev.sotto.keystore.crypto;

import java.util.Arrays;
import javax.crypto.Mac;

/**
 * HKDF-SHA256 (RFC 5869) over {@link Hmac} (the JDK's HMAC-SHA256; see there why): extract {@code
 * PRK = HMAC(salt, IKM)}, then expand {@code T(i) = HMAC(PRK, T(i-1) || info || i)}.
 */
public final class Hkdf {
  /** The longest output RFC 5869 allows for SHA-256: 255 blocks. */
  public static final int MAX_LENGTH = 255 * 32;

  private Hkdf() {}

  /**
   * Returns {@code length} bytes of {@code HKDF-SHA256(salt, ikm, info)}.
   *
   * @param salt the salt; an empty array means 32 zero bytes, as RFC 5869 says
   * @param length at most 255 * 32
   * @throws IllegalArgumentException if {@code length} is negative or above 255 * 32
   */
  public static byte[] sha256(byte[] salt, byte[] ikm, byte[] info, int length) {
    if (length < 0 || length > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "expected an HKDF-SHA256 output of 0 to " + MAX_LENGTH + " bytes, got " + length);
    }
    byte[] prk = Hmac.keyed(salt.length == 0 ? new byte[32] : salt).doFinal(ikm);
    Mac mac = Hmac.keyed(prk);
    Arrays.fill(prk, (byte) 0);
    byte[] out = new byte[length];
    byte[] t = new byte[0];
    for (int i = 1, at = 0; at < length; i++) {
      mac.update(t);
      mac.update(info);
      mac.update((byte) i);
      byte[] next = mac.doFinal();
      Arrays.fill(t, (byte) 0);
      t = next;
      int n = Math.min(t.length, length - at);
      System.arraycopy(t, 0, out, at, n);
      at += n;
    }
    Arrays.fill(t, (byte) 0);
    return out;
  }
}
