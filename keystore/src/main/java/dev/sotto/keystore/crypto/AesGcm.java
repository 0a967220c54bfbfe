package dev.sotto.keystore.crypto;

import dev.sotto.keystore.InvalidMessageException;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-GCM with a 128-bit tag through the JDK (AES-NI, constant time).
 *
 * <p>Security guarantees: confidentiality and integrity of the plaintext and integrity of the
 * associated data, provided a (key, nonce) pair is never used twice; the protocol derives a fresh
 * key and nonce per message.
 */
public final class AesGcm {
  /** Tag length in bytes. */
  public static final int TAG_LENGTH = 16;

  /** Nonce length in bytes. */
  public static final int NONCE_LENGTH = 12;

  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private static final ThreadLocal<Cipher> CIPHER = ThreadLocal.withInitial(AesGcm::newCipher);

  private AesGcm() {}

  /** Returns {@code ciphertext || tag}. */
  public static byte[] encrypt(byte[] key, byte[] nonce, byte[] plaintext, byte[] associatedData) {
    try {
      Cipher cipher = init(Cipher.ENCRYPT_MODE, key, nonce);
      cipher.updateAAD(associatedData);
      return cipher.doFinal(plaintext);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable or misused", e);
    }
  }

  /**
   * Decrypts {@code ciphertext || tag}.
   *
   * @throws InvalidMessageException if the tag does not verify or the input is shorter than a tag
   */
  public static byte[] decrypt(byte[] key, byte[] nonce, byte[] ciphertext, byte[] associatedData)
      throws InvalidMessageException {
    if (ciphertext.length < TAG_LENGTH) {
      throw new InvalidMessageException("ciphertext shorter than the 16-byte tag");
    }
    try {
      Cipher cipher = init(Cipher.DECRYPT_MODE, key, nonce);
      cipher.updateAAD(associatedData);
      return cipher.doFinal(ciphertext);
    } catch (AEADBadTagException e) {
      throw new InvalidMessageException("message authentication failed");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable or misused", e);
    }
  }

  /**
   * This thread's cipher, initialised for one operation. Each thread reuses one {@link Cipher}:
   * looking one up costs more than sealing a chat message (the client's store seals every record it
   * writes).
   */
  private static Cipher init(int mode, byte[] key, byte[] nonce) throws GeneralSecurityException {
    if (key.length != 16 && key.length != 24 && key.length != 32) {
      throw new IllegalArgumentException("expected 16, 24 or 32-byte AES key, got " + key.length);
    }
    SecretKeySpec k = new SecretKeySpec(key, "AES");
    GCMParameterSpec p = new GCMParameterSpec(TAG_LENGTH * 8, nonce);
    Cipher cipher = CIPHER.get();
    try {
      cipher.init(mode, k, p);
    } catch (InvalidAlgorithmParameterException e) {
      // The JDK refuses to encrypt twice under the same key and nonce on one instance, which this
      // thread's cipher may just have done (the same message encrypted again: a test, or a
      // deterministic re-encryption). A fresh instance behaves as this class did before it kept
      // one per thread.
      cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(mode, k, p);
    }
    return cipher;
  }

  private static Cipher newCipher() {
    try {
      return Cipher.getInstance(TRANSFORMATION);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }
}
