package dev.sotto.keystore.crypto;

import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 (RFC 2104) through the JDK's {@code HmacSHA256}.
 *
 * <p>Why the JDK and not Bouncy Castle's {@code HMac(SHA256Digest)}: HMAC and HKDF are most of the
 * cost of a steady-state message (two KDF_CK HMACs and one HKDF per message on each side), and the
 * JDK computes SHA-256 with the CPU's SHA extensions (a HotSpot intrinsic) where Bouncy Castle's
 * digest is plain Java; {@code bench/results/keystore.md} has the figures. DESIGN.md takes AES-GCM
 * from the JDK for the same reason. The outputs are the same bytes: the Wycheproof HMAC and HKDF
 * vectors and the protocol's known-answer vectors check them.
 */
public final class Hmac {
  private static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(Hmac::newMac);

  private Hmac() {}

  /** Returns the 32-byte {@code HMAC-SHA256(key, data)}. */
  public static byte[] sha256(byte[] key, byte[] data) {
    Mac mac = keyed(key);
    return mac.doFinal(data);
  }

  /**
   * Returns this thread's HMAC-SHA256 instance keyed with {@code key}. Use it before the next call
   * on the same thread.
   */
  static Mac keyed(byte[] key) {
    Mac mac = MAC.get();
    try {
      // RFC 2104 pads a short key with zeros to the block size, so an empty key is the same key as
      // one zero byte; the JDK refuses empty keys.
      mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, "HmacSHA256"));
    } catch (InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 refused a key", e);
    }
    return mac;
  }

  private static Mac newMac() {
    try {
      return Mac.getInstance("HmacSHA256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
