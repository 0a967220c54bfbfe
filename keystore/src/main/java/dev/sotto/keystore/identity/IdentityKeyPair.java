package dev.sotto.keystore.identity;

import dev.sotto.keystore.InvalidKeyException;
import dev.sotto.keystore.InvalidRecordException;
import dev.sotto.keystore.codec.ByteReader;
import dev.sotto.keystore.codec.ByteWriter;
import dev.sotto.keystore.codec.MalformedException;
import dev.sotto.keystore.crypto.Ed25519;
import dev.sotto.keystore.crypto.SignatureContext;
import dev.sotto.keystore.crypto.X25519KeyPair;
import java.security.SecureRandom;

/**
 * One's own identity: the Ed25519 seed and the X25519 private key, with the public {@link
 * IdentityKey}. Serialized (local store only) as {@code 0x49 'I' || 0x01 || ed25519 seed (32) ||
 * x25519 private (32)}; the binding signature is recomputed (Ed25519 is deterministic). {@link
 * #toString()} shows no key bytes.
 */
public final class IdentityKeyPair {
  private static final int RECORD_TYPE = 0x49;
  private static final int RECORD_VERSION = 0x01;

  private final byte[] signingSeed;
  private final X25519KeyPair agreement;
  private final IdentityKey publicKey;

  private IdentityKeyPair(byte[] signingSeed, X25519KeyPair agreement) {
    this.signingSeed = signingSeed.clone();
    this.agreement = agreement;
    byte[] xPub = agreement.publicKey();
    byte[] sig = SignatureContext.IDENTITY_KEY.sign(this.signingSeed, xPub);
    this.publicKey =
        IdentityKey.ofVerified(ByteWriter.concat(Ed25519.publicKey(this.signingSeed), xPub, sig));
  }

  /** Generates a new identity. */
  public static IdentityKeyPair generate(SecureRandom random) {
    byte[] seed = new byte[Ed25519.KEY_LENGTH];
    random.nextBytes(seed);
    return new IdentityKeyPair(seed, X25519KeyPair.generate(random));
  }

  /** Rebuilds an identity from its two 32-byte private keys. */
  public static IdentityKeyPair of(byte[] ed25519Seed, byte[] x25519Private) {
    return new IdentityKeyPair(ed25519Seed, X25519KeyPair.fromPrivate(x25519Private));
  }

  /** Returns the public identity. */
  public IdentityKey publicKey() {
    return publicKey;
  }

  /** Signs {@code data} in {@code context}. */
  public byte[] sign(SignatureContext context, byte[] data) {
    return context.sign(signingSeed, data);
  }

  /**
   * Computes X25519 between the identity's agreement key and {@code theirPublic}.
   *
   * @throws InvalidKeyException for a malformed or small-order public key
   */
  public byte[] agree(byte[] theirPublic) throws InvalidKeyException {
    return agreement.agree(theirPublic);
  }

  /** Returns the 66-byte local record. */
  public byte[] serialize() {
    return new ByteWriter(66)
        .u8(RECORD_TYPE)
        .u8(RECORD_VERSION)
        .bytes(signingSeed)
        .bytes(agreement.privateKey())
        .toByteArray();
  }

  /**
   * Parses a record written by {@link #serialize()}.
   *
   * @throws InvalidRecordException if the bytes are not such a record
   */
  public static IdentityKeyPair deserialize(byte[] record) throws InvalidRecordException {
    try {
      ByteReader r = new ByteReader(record);
      if (r.u8() != RECORD_TYPE || r.u8() != RECORD_VERSION) {
        throw new InvalidRecordException("not an identity key pair record (type or version)");
      }
      byte[] seed = r.bytes(32);
      byte[] x = r.bytes(32);
      r.end();
      return of(seed, x);
    } catch (MalformedException e) {
      throw new InvalidRecordException("identity key pair record: " + e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "IdentityKeyPair";
  }
}
