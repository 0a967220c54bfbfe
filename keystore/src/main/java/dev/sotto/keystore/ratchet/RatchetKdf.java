package dev.sotto.keystore.ratchet;

import dev.sotto.keystore.crypto.Hkdf;
import dev.sotto.keystore.crypto.Hmac;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** The Double Ratchet's KDFs as PROTOCOL.md fixes them. */
public final class RatchetKdf {
  private static final byte[] RATCHET_INFO = "Sotto_Ratchet_v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] MESSAGE_INFO = "Sotto_Message_v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ZERO_SALT = new byte[32];
  private static final byte[] MESSAGE_KEY_SEED = {0x01};
  private static final byte[] CHAIN_KEY_SEED = {0x02};

  private RatchetKdf() {}

  /** A root key and a chain key. */
  public record RootAndChain(byte[] rootKey, byte[] chainKey) {}

  /** A message key and the next chain key. */
  public record MessageAndChain(byte[] messageKey, byte[] nextChainKey) {}

  /** An AES-256 key and a GCM nonce. */
  public record AeadKey(byte[] key, byte[] nonce) {}

  /** {@code KDF_RK(rk, dh_out) = HKDF(salt = rk, ikm = dh_out, "Sotto_Ratchet_v1", 64)}. */
  public static RootAndChain kdfRk(byte[] rootKey, byte[] dhOutput) {
    byte[] okm = Hkdf.sha256(rootKey, dhOutput, RATCHET_INFO, 64);
    return new RootAndChain(Arrays.copyOfRange(okm, 0, 32), Arrays.copyOfRange(okm, 32, 64));
  }

  /**
   * {@code KDF_CK(ck)}: message key {@code HMAC(ck, 0x01)}, next chain key {@code HMAC(ck, 0x02)}.
   */
  public static MessageAndChain kdfCk(byte[] chainKey) {
    return new MessageAndChain(
        Hmac.sha256(chainKey, MESSAGE_KEY_SEED), Hmac.sha256(chainKey, CHAIN_KEY_SEED));
  }

  /** {@code HKDF(salt = 32 x 0x00, ikm = mk, "Sotto_Message_v1", 44)} split 32 || 12. */
  public static AeadKey messageKeys(byte[] messageKey) {
    byte[] okm = Hkdf.sha256(ZERO_SALT, messageKey, MESSAGE_INFO, 44);
    return new AeadKey(Arrays.copyOfRange(okm, 0, 32), Arrays.copyOfRange(okm, 32, 44));
  }
}
