package dev.sotto.keystore.store;

import dev.sotto.keystore.InvalidMessageException;
import dev.sotto.keystore.codec.ByteReader;
import dev.sotto.keystore.codec.ByteWriter;
import dev.sotto.keystore.codec.MalformedException;
import dev.sotto.keystore.crypto.AesGcm;
import dev.sotto.keystore.crypto.Hmac;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The one record of a local store that is not sealed under the data key: it holds the data key
 * wrapped by {@code store_key}. Layout (101 bytes, big-endian, no separators):
 *
 * <pre>
 * magic    8   "SOTTOLS1" (ASCII)
 * version  1   0x01
 * store_id 16  random, made once at creation
 * check    16  HMAC-SHA256(store_key, "Sotto_LocalStore_Check_v1" || store_id)[0..16]
 * nonce    12  random
 * wrapped  48  AES-256-GCM(store_key, nonce, data_key (32), AD = "Sotto_LocalStore_Wrap_v1" || version || store_id)
 * </pre>
 *
 * <p>The check value depends only on {@code store_key}, not on how it was derived, and tells a
 * wrong key (check differs: {@link WrongStoreKeyException}) from a damaged header (check matches
 * but the tag does not: {@link CorruptedStoreException}). It gives an attacker holding the file
 * nothing the GCM tag does not already give: one test per guessed store key, each guess costing an
 * Argon2id.
 */
record StoreHeader(int version, byte[] storeId, byte[] check, byte[] nonce, byte[] wrapped) {
  static final int VERSION = 1;
  static final int LENGTH = 8 + 1 + 16 + 16 + 12 + 48;
  static final int KEY_LENGTH = 32;
  private static final byte[] MAGIC = "SOTTOLS1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CHECK_INFO =
      "Sotto_LocalStore_Check_v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] WRAP_INFO =
      "Sotto_LocalStore_Wrap_v1".getBytes(StandardCharsets.US_ASCII);

  /** Wraps {@code dataKey} under {@code storeKey} for the store {@code storeId}. */
  static StoreHeader wrap(byte[] storeKey, byte[] storeId, byte[] dataKey, SecureRandom random) {
    checkKey(storeKey, "store key");
    checkKey(dataKey, "data key");
    byte[] nonce = new byte[AesGcm.NONCE_LENGTH];
    random.nextBytes(nonce);
    byte[] wrapped = AesGcm.encrypt(storeKey, nonce, dataKey, wrapAd(storeId));
    return new StoreHeader(VERSION, storeId.clone(), check(storeKey, storeId), nonce, wrapped);
  }

  /**
   * Returns the data key.
   *
   * @throws WrongStoreKeyException if {@code storeKey} is not the key this header was made with
   * @throws CorruptedStoreException if the check matches but the wrapped key does not authenticate
   */
  byte[] unwrap(byte[] storeKey, String where)
      throws WrongStoreKeyException, CorruptedStoreException {
    checkKey(storeKey, "store key");
    if (!MessageDigest.isEqual(check, check(storeKey, storeId))) {
      throw new WrongStoreKeyException("wrong password for this local store (" + where + ")");
    }
    try {
      return AesGcm.decrypt(storeKey, nonce, wrapped, wrapAd(storeId));
    } catch (InvalidMessageException e) {
      throw new CorruptedStoreException(
          "the header of the local store "
              + where
              + " is corrupted: its wrapped key fails to"
              + " authenticate");
    }
  }

  byte[] encode() {
    return new ByteWriter(LENGTH)
        .bytes(MAGIC)
        .u8(version)
        .bytes(storeId)
        .bytes(check)
        .bytes(nonce)
        .bytes(wrapped)
        .toByteArray();
  }

  /**
   * Parses a header.
   *
   * @throws CorruptedStoreException if the bytes are not a header of a known version
   */
  static StoreHeader parse(byte[] bytes) throws CorruptedStoreException {
    if (bytes.length != LENGTH) {
      throw new CorruptedStoreException(
          "local store header: expected " + LENGTH + " bytes, got " + bytes.length);
    }
    try {
      ByteReader r = new ByteReader(bytes);
      if (!Arrays.equals(r.bytes(MAGIC.length), MAGIC)) {
        throw new CorruptedStoreException("local store header: bad magic");
      }
      int version = r.u8();
      if (version != VERSION) {
        throw new CorruptedStoreException(
            "local store header: unsupported format version " + version + ", expected " + VERSION);
      }
      StoreHeader h = new StoreHeader(version, r.bytes(16), r.bytes(16), r.bytes(12), r.bytes(48));
      r.end();
      return h;
    } catch (MalformedException e) {
      throw new CorruptedStoreException("local store header: " + e.getMessage());
    }
  }

  private static byte[] check(byte[] storeKey, byte[] storeId) {
    return Arrays.copyOf(Hmac.sha256(storeKey, ByteWriter.concat(CHECK_INFO, storeId)), 16);
  }

  private static byte[] wrapAd(byte[] storeId) {
    return ByteWriter.concat(WRAP_INFO, new byte[] {(byte) VERSION}, storeId);
  }

  private static void checkKey(byte[] key, String what) {
    if (key == null || key.length != KEY_LENGTH) {
      throw new IllegalArgumentException(
          "expected a " + KEY_LENGTH + "-byte " + what + ", got " + (key == null ? 0 : key.length));
    }
  }

  @Override
  public String toString() {
    return "StoreHeader[version=" + version + "]";
  }
}
