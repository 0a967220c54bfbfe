package dev.sotto.keystore.store;

import dev.sotto.keystore.InvalidMessageException;
import dev.sotto.keystore.codec.ByteWriter;
import dev.sotto.keystore.crypto.AesGcm;
import dev.sotto.keystore.crypto.Hkdf;
import dev.sotto.keystore.crypto.Hmac;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Seals every record of a local store. From the data key two keys are derived with HKDF-SHA256
 * (salt 32 zero bytes): the record key (info {@code Sotto_LocalStore_Record_v1}) and the index key
 * (info {@code Sotto_LocalStore_Index_v1}).
 *
 * <p>Sealed record layout: {@code 0x01 || nonce (12, random) || AES-256-GCM(record key, nonce,
 * plaintext, AD)} with {@code AD = 0x01 || u8 len(map) || map (ASCII) || key}: a record moved to
 * another map or key fails to authenticate.
 *
 * <p>Keys that would name a person or a message (addresses, conversations, message ids) are stored
 * as {@link #tag}s: the first 16 bytes of HMAC-SHA256(index key, kind || 0x00 || id), so the files
 * do not list whom the user talks to. The clear id is kept inside the sealed value where needed.
 *
 * <p>Random 96-bit nonces under one record key stay within GCM's bounds for 2^32 records written
 * over the store's life (NIST SP 800-38D), far beyond a chat client's; the data key does not change
 * with the password, so the bound counts every write since creation.
 */
final class RecordCipher {
  static final int VERSION = 1;
  static final int OVERHEAD = 1 + AesGcm.NONCE_LENGTH + AesGcm.TAG_LENGTH;
  private static final byte[] ZERO_SALT = new byte[32];

  private final byte[] recordKey;
  private final byte[] indexKey;
  private final SecureRandom random;

  RecordCipher(byte[] dataKey, SecureRandom random) {
    this.recordKey =
        Hkdf.sha256(
            ZERO_SALT, dataKey, ascii("Sotto_LocalStore_Record_v1"), StoreHeader.KEY_LENGTH);
    this.indexKey =
        Hkdf.sha256(ZERO_SALT, dataKey, ascii("Sotto_LocalStore_Index_v1"), StoreHeader.KEY_LENGTH);
    this.random = random;
  }

  byte[] seal(String map, byte[] key, byte[] plaintext) {
    byte[] nonce = new byte[AesGcm.NONCE_LENGTH];
    random.nextBytes(nonce);
    byte[] ct = AesGcm.encrypt(recordKey, nonce, plaintext, ad(map, key));
    return ByteWriter.concat(new byte[] {(byte) VERSION}, nonce, ct);
  }

  /**
   * Opens a sealed record stored under {@code map}/{@code key}.
   *
   * @throws CorruptedStoreException if the envelope is malformed or does not authenticate
   */
  byte[] open(String map, byte[] key, byte[] sealed) throws CorruptedStoreException {
    Envelope e = Envelope.parse(map, sealed);
    try {
      return AesGcm.decrypt(recordKey, e.nonce(), e.ciphertext(), ad(map, key));
    } catch (InvalidMessageException ex) {
      throw new CorruptedStoreException(
          "a record in '" + map + "' fails to authenticate (corrupted, or moved from elsewhere)");
    }
  }

  byte[] tag(String kind, byte[] id) {
    byte[] mac = Hmac.sha256(indexKey, ByteWriter.concat(ascii(kind), new byte[1], id));
    return Arrays.copyOf(mac, 16);
  }

  byte[] tag(String kind, String id) {
    return tag(kind, id.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] ad(String map, byte[] key) {
    byte[] m = ascii(map);
    return ByteWriter.concat(new byte[] {(byte) VERSION, (byte) m.length}, m, key);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** The parsed outer layout of a sealed record. */
  record Envelope(byte[] nonce, byte[] ciphertext) {
    /**
     * Parses the outer layout.
     *
     * @throws CorruptedStoreException if it is too short or of an unknown version
     */
    static Envelope parse(String map, byte[] sealed) throws CorruptedStoreException {
      if (sealed.length < OVERHEAD) {
        throw new CorruptedStoreException(
            "a record in '" + map + "' is truncated: " + sealed.length + " bytes");
      }
      if ((sealed[0] & 0xFF) != VERSION) {
        throw new CorruptedStoreException(
            "a record in '" + map + "' has unknown format version " + (sealed[0] & 0xFF));
      }
      return new Envelope(
          Arrays.copyOfRange(sealed, 1, 1 + AesGcm.NONCE_LENGTH),
          Arrays.copyOfRange(sealed, 1 + AesGcm.NONCE_LENGTH, sealed.length));
    }
  }
}
