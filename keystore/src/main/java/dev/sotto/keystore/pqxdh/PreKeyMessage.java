package dev.sotto.keystore.pqxdh;

import dev.sotto.keystore.InvalidKeyException;
import dev.sotto.keystore.InvalidMessageException;
import dev.sotto.keystore.codec.ByteReader;
import dev.sotto.keystore.codec.ByteWriter;
import dev.sotto.keystore.codec.MalformedException;
import dev.sotto.keystore.crypto.MlKem768;
import dev.sotto.keystore.crypto.X25519;
import dev.sotto.keystore.identity.IdentityKey;
import dev.sotto.keystore.ratchet.RatchetMessage;
import java.util.Objects;

/**
 * The initiator's messages until the responder answers: {@code 0x02 || IdentityKey (128) ||
 * u32(spk_id) || u32(opk_id or 0) || u32(pqpk_id) || EK (32) || CT (1088) || RatchetMessage}.
 *
 * @param identityKey the initiator's identity (binding signature verified by {@link #parse})
 * @param signedPreKeyId the responder's signed prekey id
 * @param oneTimePreKeyId the responder's one-time prekey id, 0 if none
 * @param kemPreKeyId the responder's KEM prekey id
 * @param baseKey EK_A
 * @param kemCiphertext CT
 * @param message the first (or a later) ratchet message
 */
public record PreKeyMessage(
    IdentityKey identityKey,
    int signedPreKeyId,
    int oneTimePreKeyId,
    int kemPreKeyId,
    byte[] baseKey,
    byte[] kemCiphertext,
    RatchetMessage message) {
  /** The type byte. */
  public static final int TYPE = 0x02;

  /** Length of everything before the ratchet message. */
  public static final int PREFIX_LENGTH = 1 + IdentityKey.LENGTH + 12 + 32 + 1088;

  /** Validates and copies. */
  public PreKeyMessage {
    Objects.requireNonNull(identityKey);
    Objects.requireNonNull(message);
    if (baseKey.length != 32 || kemCiphertext.length != MlKem768.CIPHERTEXT_LENGTH) {
      throw new IllegalArgumentException("invalid PreKeyMessage fields");
    }
    baseKey = baseKey.clone();
    kemCiphertext = kemCiphertext.clone();
  }

  /**
   * Parses a PreKeyMessage.
   *
   * @throws InvalidMessageException if it is malformed, its ids are invalid, or the sender's
   *     identity binding does not verify
   */
  public static PreKeyMessage parse(byte[] bytes) throws InvalidMessageException {
    if (bytes.length < PREFIX_LENGTH + RatchetMessage.MIN_LENGTH
        || bytes.length > PREFIX_LENGTH + RatchetMessage.MAX_LENGTH) {
      throw new InvalidMessageException("PreKeyMessage has invalid length " + bytes.length);
    }
    try {
      ByteReader r = new ByteReader(bytes);
      if (r.u8() != TYPE) {
        throw new InvalidMessageException("not a version 1 PreKeyMessage");
      }
      byte[] identity = r.bytes(IdentityKey.LENGTH);
      int spk = r.u32();
      int opk = r.u32();
      int pqpk = r.u32();
      byte[] ek = r.bytes(32);
      byte[] ct = r.bytes(MlKem768.CIPHERTEXT_LENGTH);
      RatchetMessage inner = RatchetMessage.parse(r.rest());
      if (spk < 1 || opk < 0 || pqpk < 1) {
        throw new InvalidMessageException("PreKeyMessage has invalid prekey ids");
      }
      if (!X25519.isCanonical(ek)) {
        throw new InvalidMessageException("PreKeyMessage base key is not canonical");
      }
      IdentityKey key;
      try {
        key = IdentityKey.decode(identity);
      } catch (InvalidKeyException e) {
        throw new InvalidMessageException("sender identity: " + e.getMessage());
      }
      return new PreKeyMessage(key, spk, opk, pqpk, ek, ct, inner);
    } catch (MalformedException e) {
      throw new InvalidMessageException("PreKeyMessage: " + e.getMessage());
    }
  }

  /** Returns the encoding. */
  public byte[] serialize() {
    return new ByteWriter(PREFIX_LENGTH + 400)
        .u8(TYPE)
        .bytes(identityKey.serialize())
        .u32(signedPreKeyId)
        .u32(oneTimePreKeyId)
        .u32(kemPreKeyId)
        .bytes(baseKey)
        .bytes(kemCiphertext)
        .bytes(message.serialize())
        .toByteArray();
  }

  @Override
  public byte[] baseKey() {
    return baseKey.clone();
  }

  @Override
  public byte[] kemCiphertext() {
    return kemCiphertext.clone();
  }

  /** Returns {@code SHA-256(EK || CT)}. */
  public byte[] replayId() {
    return Pqxdh.replayId(baseKey, kemCiphertext);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PreKeyMessage m && java.util.Arrays.equals(serialize(), m.serialize());
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(baseKey);
  }

  @Override
  public String toString() {
    return "PreKeyMessage[spk="
        + signedPreKeyId
        + ", opk="
        + oneTimePreKeyId
        + ", pqpk="
        + kemPreKeyId
        + ", "
        + message
        + "]";
  }
}
