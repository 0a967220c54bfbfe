package dev.sotto.keystore.prekey;

import dev.sotto.keystore.InvalidRecordException;
import dev.sotto.keystore.codec.ByteReader;
import dev.sotto.keystore.codec.ByteWriter;
import dev.sotto.keystore.codec.MalformedException;
import dev.sotto.keystore.crypto.MlKemKeyPair;
import dev.sotto.keystore.crypto.SignatureContext;
import dev.sotto.keystore.identity.IdentityKeyPair;
import java.security.SecureRandom;

/**
 * A signed ML-KEM-768 prekey (one-time or last-resort) with its seed and signature (context {@code
 * Sotto_KemPreKey_v1} over {@code u32(id) || ek}). Record: {@code 0x4B || 0x01 || u32(id) ||
 * u64(created ms) || flags (bit 0: last resort) || seed (64) || signature (64)}.
 */
public final class KemPreKeyRecord {
  private static final int TYPE = 0x4B;
  private static final int VERSION = 0x01;

  private final int id;
  private final long createdAtMillis;
  private final boolean lastResort;
  private final MlKemKeyPair keyPair;
  private final byte[] signature;

  /** Creates a record. */
  public KemPreKeyRecord(
      int id, long createdAtMillis, boolean lastResort, MlKemKeyPair keyPair, byte[] signature) {
    this.id = PreKeyIds.checked(id);
    this.createdAtMillis = createdAtMillis;
    this.lastResort = lastResort;
    this.keyPair = keyPair;
    if (signature.length != 64) {
      throw new IllegalArgumentException("expected 64-byte signature, got " + signature.length);
    }
    this.signature = signature.clone();
  }

  /** Generates and signs a new KEM prekey. */
  public static KemPreKeyRecord generate(
      IdentityKeyPair identity, int id, boolean lastResort, long nowMillis, SecureRandom random) {
    MlKemKeyPair kp = MlKemKeyPair.generate(random);
    byte[] sig = identity.sign(SignatureContext.KEM_PREKEY, PreKeyIds.idAnd(id, kp.publicKey()));
    return new KemPreKeyRecord(id, nowMillis, lastResort, kp, sig);
  }

  /** Returns the id. */
  public int id() {
    return id;
  }

  /** Returns when it was made (ms since the epoch). */
  public long createdAtMillis() {
    return createdAtMillis;
  }

  /** Returns whether this is the last-resort key (kept after use). */
  public boolean lastResort() {
    return lastResort;
  }

  /** Returns the key pair. */
  public MlKemKeyPair keyPair() {
    return keyPair;
  }

  /** Returns the signature. */
  public byte[] signature() {
    return signature.clone();
  }

  /** Returns the record bytes. */
  public byte[] serialize() {
    return new ByteWriter(143)
        .u8(TYPE)
        .u8(VERSION)
        .u32(id)
        .u64(createdAtMillis)
        .u8(lastResort ? 1 : 0)
        .bytes(keyPair.seed())
        .bytes(signature)
        .toByteArray();
  }

  /**
   * Parses a record.
   *
   * @throws InvalidRecordException if the bytes are not such a record
   */
  public static KemPreKeyRecord deserialize(byte[] bytes) throws InvalidRecordException {
    try {
      ByteReader r = new ByteReader(bytes);
      if (r.u8() != TYPE || r.u8() != VERSION) {
        throw new InvalidRecordException("not a KEM prekey record (type or version)");
      }
      int id = r.u32();
      long created = r.u64();
      int flags = r.u8();
      byte[] seed = r.bytes(64);
      byte[] sig = r.bytes(64);
      r.end();
      if (!PreKeyIds.isValid(id) || (flags & ~1) != 0) {
        throw new InvalidRecordException("KEM prekey record with invalid id or flags");
      }
      return new KemPreKeyRecord(id, created, flags == 1, MlKemKeyPair.fromSeed(seed), sig);
    } catch (MalformedException e) {
      throw new InvalidRecordException("KEM prekey record: " + e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "KemPreKeyRecord[id=" + id + (lastResort ? ", last resort]" : "]");
  }
}
