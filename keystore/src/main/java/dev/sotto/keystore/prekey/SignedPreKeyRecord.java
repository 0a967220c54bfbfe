package dev.sotto.keystore.prekey;

import dev.sotto.keystore.InvalidRecordException;
import dev.sotto.keystore.codec.ByteReader;
import dev.sotto.keystore.codec.ByteWriter;
import dev.sotto.keystore.codec.MalformedException;
import dev.sotto.keystore.crypto.SignatureContext;
import dev.sotto.keystore.crypto.X25519KeyPair;
import dev.sotto.keystore.identity.IdentityKeyPair;
import java.security.SecureRandom;

/**
 * A signed X25519 prekey with its private key, creation time and signature (context {@code
 * Sotto_SignedPreKey_v1} over {@code u32(id) || public}). Record: {@code 0x53 || 0x01 || u32(id) ||
 * u64(created ms) || private (32) || signature (64)}. Rotated weekly, kept 30 days after.
 */
public final class SignedPreKeyRecord {
  private static final int TYPE = 0x53;
  private static final int VERSION = 0x01;

  private final int id;
  private final long createdAtMillis;
  private final X25519KeyPair keyPair;
  private final byte[] signature;

  /** Creates a record. */
  public SignedPreKeyRecord(int id, long createdAtMillis, X25519KeyPair keyPair, byte[] signature) {
    this.id = PreKeyIds.checked(id);
    this.createdAtMillis = createdAtMillis;
    this.keyPair = keyPair;
    if (signature.length != 64) {
      throw new IllegalArgumentException("expected 64-byte signature, got " + signature.length);
    }
    this.signature = signature.clone();
  }

  /** Generates and signs a new signed prekey. */
  public static SignedPreKeyRecord generate(
      IdentityKeyPair identity, int id, long nowMillis, SecureRandom random) {
    X25519KeyPair kp = X25519KeyPair.generate(random);
    byte[] sig = identity.sign(SignatureContext.SIGNED_PREKEY, PreKeyIds.idAnd(id, kp.publicKey()));
    return new SignedPreKeyRecord(id, nowMillis, kp, sig);
  }

  /** Returns the id. */
  public int id() {
    return id;
  }

  /** Returns when it was made (ms since the epoch). */
  public long createdAtMillis() {
    return createdAtMillis;
  }

  /** Returns the key pair. */
  public X25519KeyPair keyPair() {
    return keyPair;
  }

  /** Returns the signature. */
  public byte[] signature() {
    return signature.clone();
  }

  /** Returns the record bytes. */
  public byte[] serialize() {
    return new ByteWriter(110)
        .u8(TYPE)
        .u8(VERSION)
        .u32(id)
        .u64(createdAtMillis)
        .bytes(keyPair.privateKey())
        .bytes(signature)
        .toByteArray();
  }

  /**
   * Parses a record.
   *
   * @throws InvalidRecordException if the bytes are not such a record
   */
  public static SignedPreKeyRecord deserialize(byte[] bytes) throws InvalidRecordException {
    try {
      ByteReader r = new ByteReader(bytes);
      if (r.u8() != TYPE || r.u8() != VERSION) {
        throw new InvalidRecordException("not a signed prekey record (type or version)");
      }
      int id = r.u32();
      long created = r.u64();
      byte[] sk = r.bytes(32);
      byte[] sig = r.bytes(64);
      r.end();
      if (!PreKeyIds.isValid(id)) {
        throw new InvalidRecordException("signed prekey record with invalid id");
      }
      return new SignedPreKeyRecord(id, created, X25519KeyPair.fromPrivate(sk), sig);
    } catch (MalformedException e) {
      throw new InvalidRecordException("signed prekey record: " + e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "SignedPreKeyRecord[id=" + id + "]";
  }
}
