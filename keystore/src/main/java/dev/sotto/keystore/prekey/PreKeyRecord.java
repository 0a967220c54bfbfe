package dev.sotto.keystore.prekey;

import dev.sotto.keystore.InvalidRecordException;
import dev.sotto.keystore.codec.ByteReader;
import dev.sotto.keystore.codec.ByteWriter;
import dev.sotto.keystore.codec.MalformedException;
import dev.sotto.keystore.crypto.X25519KeyPair;
import java.security.SecureRandom;

/**
 * A one-time X25519 prekey with its private key. Record: {@code 0x50 || 0x01 || u32(id) || private
 * (32)}.
 */
public final class PreKeyRecord {
  private static final int TYPE = 0x50;
  private static final int VERSION = 0x01;

  private final int id;
  private final X25519KeyPair keyPair;

  /** Creates a record. */
  public PreKeyRecord(int id, X25519KeyPair keyPair) {
    this.id = PreKeyIds.checked(id);
    this.keyPair = keyPair;
  }

  /** Generates a one-time prekey. */
  public static PreKeyRecord generate(int id, SecureRandom random) {
    return new PreKeyRecord(id, X25519KeyPair.generate(random));
  }

  /** Returns the id. */
  public int id() {
    return id;
  }

  /** Returns the key pair. */
  public X25519KeyPair keyPair() {
    return keyPair;
  }

  /** Returns the record bytes. */
  public byte[] serialize() {
    return new ByteWriter(38)
        .u8(TYPE)
        .u8(VERSION)
        .u32(id)
        .bytes(keyPair.privateKey())
        .toByteArray();
  }

  /**
   * Parses a record.
   *
   * @throws InvalidRecordException if the bytes are not such a record
   */
  public static PreKeyRecord deserialize(byte[] bytes) throws InvalidRecordException {
    try {
      ByteReader r = new ByteReader(bytes);
      if (r.u8() != TYPE || r.u8() != VERSION) {
        throw new InvalidRecordException("not a one-time prekey record (type or version)");
      }
      int id = r.u32();
      byte[] sk = r.bytes(32);
      r.end();
      if (!PreKeyIds.isValid(id)) {
        throw new InvalidRecordException("prekey record with invalid id");
      }
      return new PreKeyRecord(id, X25519KeyPair.fromPrivate(sk));
    } catch (MalformedException e) {
      throw new InvalidRecordException("one-time prekey record: " + e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "PreKeyRecord[id=" + id + "]";
  }
}
