package dev.sotto.keystore.crypto;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/** HKDF-SHA256 (RFC 5869). */
public final class Hkdf {
  private Hkdf() {}

  /**
   * Returns {@code length} bytes of {@code HKDF-SHA256(salt, ikm, info)}.
   *
   * @param salt the salt; an empty array means 32 zero bytes, as RFC 5869 says
   * @param length at most 255 * 32
   */
  public static byte[] sha256(byte[] salt, byte[] ikm, byte[] info, int length) {
    HKDFBytesGenerator generator = new HKDFBytesGenerator(new SHA256Digest());
    generator.init(new HKDFParameters(ikm, salt.length == 0 ? new byte[32] : salt, info));
    byte[] out = new byte[length];
    generator.generateBytes(out, 0, length);
    return out;
  }
}
