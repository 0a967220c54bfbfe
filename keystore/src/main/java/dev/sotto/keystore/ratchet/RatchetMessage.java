package dev.sotto.keystore.ratchet;

import dev.sotto.keystore.InvalidMessageException;
import dev.sotto.keystore.codec.ByteReader;
import dev.sotto.keystore.codec.ByteWriter;
import dev.sotto.keystore.codec.MalformedException;
import dev.sotto.keystore.crypto.AesGcm;
import dev.sotto.keystore.crypto.X25519;
import java.util.Arrays;

/**
 * A Double Ratchet message: the 41-byte header {@code 0x01 || ratchet public (32) || u32(PN) ||
 * u32(N)} then the AES-256-GCM ciphertext of the padded plaintext with its tag.
 */
public final class RatchetMessage {
  /** The type byte, which is also the header's version byte. */
  public static final int TYPE = 0x01;

  /** Header length. */
  public static final int HEADER_LENGTH = 41;

  /** Smallest valid message: header, one padding bucket, tag. */
  public static final int MIN_LENGTH = HEADER_LENGTH + Padding.BUCKET + AesGcm.TAG_LENGTH;

  /** Largest valid message. */
  public static final int MAX_LENGTH = HEADER_LENGTH + Padding.MAX_PADDED + AesGcm.TAG_LENGTH;

  private final byte[] ratchetKey;
  private final int previousCounter;
  private final int counter;
  private final byte[] ciphertext;

  /**
   * Creates a message.
   *
   * @param ratchetKey the sender's current ratchet public key
   * @param previousCounter length of the sender's previous sending chain
   * @param counter message number in the current chain
   * @param ciphertext AES-GCM ciphertext and tag
   */
  public RatchetMessage(byte[] ratchetKey, int previousCounter, int counter, byte[] ciphertext) {
    if (ratchetKey.length != 32 || previousCounter < 0 || counter < 0) {
      throw new IllegalArgumentException("invalid header fields");
    }
    this.ratchetKey = ratchetKey.clone();
    this.previousCounter = previousCounter;
    this.counter = counter;
    this.ciphertext = ciphertext.clone();
  }

  /** Returns the header bytes for these fields. */
  public static byte[] header(byte[] ratchetKey, int previousCounter, int counter) {
    return new ByteWriter(HEADER_LENGTH)
        .u8(TYPE)
        .bytes(ratchetKey)
        .u32(previousCounter)
        .u32(counter)
        .toByteArray();
  }

  /**
   * Parses a message, checking its type, bounds and that the ciphertext is a whole number of
   * padding buckets plus a tag.
   *
   * @throws InvalidMessageException if malformed
   */
  public static RatchetMessage parse(byte[] bytes) throws InvalidMessageException {
    if (bytes.length < MIN_LENGTH || bytes.length > MAX_LENGTH) {
      throw new InvalidMessageException("ratchet message has invalid length " + bytes.length);
    }
    try {
      ByteReader r = new ByteReader(bytes);
      if (r.u8() != TYPE) {
        throw new InvalidMessageException("not a version 1 ratchet message");
      }
      byte[] key = r.bytes(32);
      int pn = r.u32();
      int n = r.u32();
      byte[] ct = r.rest();
      if (!X25519.isCanonical(key)) {
        throw new InvalidMessageException("ratchet key is not canonical");
      }
      if (pn < 0 || n < 0) {
        throw new InvalidMessageException("ratchet counter out of range");
      }
      if ((ct.length - AesGcm.TAG_LENGTH) % Padding.BUCKET != 0) {
        throw new InvalidMessageException("ciphertext is not a whole number of padding buckets");
      }
      return new RatchetMessage(key, pn, n, ct);
    } catch (MalformedException e) {
      throw new InvalidMessageException("ratchet message: " + e.getMessage());
    }
  }

  /** Returns the encoding. */
  public byte[] serialize() {
    return ByteWriter.concat(header(), ciphertext);
  }

  /** Returns the header bytes. */
  public byte[] header() {
    return header(ratchetKey, previousCounter, counter);
  }

  /** Returns the sender's ratchet public key. */
  public byte[] ratchetKey() {
    return ratchetKey.clone();
  }

  /** Returns PN. */
  public int previousCounter() {
    return previousCounter;
  }

  /** Returns N. */
  public int counter() {
    return counter;
  }

  /** Returns the ciphertext with its tag. */
  public byte[] ciphertext() {
    return ciphertext.clone();
  }

  boolean hasRatchetKey(byte[] key) {
    return key != null && Arrays.equals(ratchetKey, key);
  }

  @Override
  public String toString() {
    return "RatchetMessage[pn="
        + previousCounter
        + ", n="
        + counter
        + ", "
        + ciphertext.length
        + "B]";
  }
}
