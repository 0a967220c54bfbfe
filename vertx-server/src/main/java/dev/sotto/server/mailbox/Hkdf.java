package dev.sotto.server.mailbox;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HKDF with HMAC-SHA256 (RFC 5869) on the JDK's {@link Mac}. */
final class Hkdf {
  private static final String HMAC = "HmacSHA256";
  private static final int HASH_LEN = 32;

  private Hkdf() {}

  /** RFC 5869 extract: PRK = HMAC(salt, ikm); an empty salt means 32 zero bytes. */
  static byte[] extract(byte[] salt, byte[] ikm) {
    byte[] key = salt.length == 0 ? new byte[HASH_LEN] : salt;
    Mac mac = mac(key);
    return mac.doFinal(ikm);
  }

  /** RFC 5869 expand: T(1) || T(2) || ... truncated to {@code length} bytes. */
  static byte[] expand(byte[] prk, byte[] info, int length) {
    if (length < 1 || length > 255 * HASH_LEN) {
      throw new IllegalArgumentException("HKDF output length out of range: " + length);
    }
    Mac mac = mac(prk);
    byte[] out = new byte[length];
    byte[] t = new byte[0];
    int done = 0;
    for (int i = 1; done < length; i++) {
      mac.update(t);
      mac.update(info);
      mac.update((byte) i);
      t = mac.doFinal();
      int n = Math.min(t.length, length - done);
      System.arraycopy(t, 0, out, done, n);
      done += n;
    }
    return out;
  }

  static byte[] derive(byte[] salt, byte[] ikm, byte[] info, int length) {
    return expand(extract(salt, ikm), info, length);
  }

  private static Mac mac(byte[] key) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(new SecretKeySpec(key, HMAC));
      return mac;
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  static Mac hmac(byte[] key) throws GeneralSecurityException {
    Mac mac = Mac.getInstance(HMAC);
    mac.init(new SecretKeySpec(key, HMAC));
    return mac;
  }
}
