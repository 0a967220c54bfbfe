package dev.sotto.keystore.prekey;

import dev.sotto.keystore.InvalidKeyException;
import dev.sotto.keystore.crypto.MlKem768;
import dev.sotto.keystore.crypto.SignatureContext;
import dev.sotto.keystore.crypto.X25519;
import dev.sotto.keystore.identity.IdentityKey;
import java.util.Objects;

/**
 * The public prekeys of one device, as the server stores and hands them out: identity, signed
 * X25519 prekey, an optional one-time X25519 prekey, and a signed ML-KEM-768 prekey (mandatory:
 * there is no fallback to a classical-only handshake). Byte arrays are copied in and out.
 *
 * @param deviceId the device id (at least 1)
 * @param identityKey the owner's identity (its binding signature already verified by decoding)
 * @param signedPreKeyId id of the signed prekey
 * @param signedPreKey X25519 public key, 32 bytes
 * @param signedPreKeySignature signature in context {@code Sotto_SignedPreKey_v1}
 * @param oneTimePreKeyId id of the one-time prekey, 0 if none
 * @param oneTimePreKey X25519 public key, or null if none
 * @param kemPreKeyId id of the KEM prekey
 * @param kemPreKey ML-KEM-768 encapsulation key, 1184 bytes
 * @param kemPreKeySignature signature in context {@code Sotto_KemPreKey_v1}
 */
public record PreKeyBundle(
    int deviceId,
    IdentityKey identityKey,
    int signedPreKeyId,
    byte[] signedPreKey,
    byte[] signedPreKeySignature,
    int oneTimePreKeyId,
    byte[] oneTimePreKey,
    int kemPreKeyId,
    byte[] kemPreKey,
    byte[] kemPreKeySignature) {

  /** Copies the arrays; shape is checked by {@link #verify()}. */
  public PreKeyBundle {
    Objects.requireNonNull(identityKey, "identityKey");
    signedPreKey = copy(signedPreKey);
    signedPreKeySignature = copy(signedPreKeySignature);
    oneTimePreKey = copy(oneTimePreKey);
    kemPreKey = copy(kemPreKey);
    kemPreKeySignature = copy(kemPreKeySignature);
  }

  /** Builds the bundle of one's own keys (to upload, or in tests). */
  public static PreKeyBundle of(
      int deviceId,
      IdentityKey identity,
      SignedPreKeyRecord signedPreKey,
      PreKeyRecord oneTimePreKey,
      KemPreKeyRecord kemPreKey) {
    return new PreKeyBundle(
        deviceId,
        identity,
        signedPreKey.id(),
        signedPreKey.keyPair().publicKey(),
        signedPreKey.signature(),
        oneTimePreKey == null ? 0 : oneTimePreKey.id(),
        oneTimePreKey == null ? null : oneTimePreKey.keyPair().publicKey(),
        kemPreKey.id(),
        kemPreKey.keyPair().publicKey(),
        kemPreKey.signature());
  }

  /**
   * Checks everything an initiator must check before using the bundle: ids, key lengths, both
   * prekey signatures under their own contexts by this identity, and the ML-KEM encapsulation-key
   * check.
   *
   * @throws InvalidKeyException naming the first check that failed
   */
  public void verify() throws InvalidKeyException {
    if (deviceId < 1) {
      throw new InvalidKeyException("bundle has invalid device id " + deviceId);
    }
    if (!PreKeyIds.isValid(signedPreKeyId)) {
      throw new InvalidKeyException("bundle has invalid signed prekey id");
    }
    if (!X25519.isCanonical(signedPreKey)) {
      throw new InvalidKeyException("expected a canonical 32-byte signed prekey");
    }
    if (signedPreKeySignature == null
        || !identityKey.verify(
            SignatureContext.SIGNED_PREKEY,
            PreKeyIds.idAnd(signedPreKeyId, signedPreKey),
            signedPreKeySignature)) {
      throw new InvalidKeyException("signed prekey signature does not verify");
    }
    if (oneTimePreKeyId == 0) {
      if (oneTimePreKey != null) {
        throw new InvalidKeyException("bundle has a one-time prekey without an id");
      }
    } else if (!PreKeyIds.isValid(oneTimePreKeyId) || !X25519.isCanonical(oneTimePreKey)) {
      throw new InvalidKeyException("bundle has a malformed one-time prekey");
    }
    if (!PreKeyIds.isValid(kemPreKeyId) || kemPreKey == null) {
      throw new InvalidKeyException("bundle has no ML-KEM-768 prekey (downgrade refused)");
    }
    MlKem768.checkEncapsulationKey(kemPreKey);
    if (kemPreKeySignature == null
        || !identityKey.verify(
            SignatureContext.KEM_PREKEY,
            PreKeyIds.idAnd(kemPreKeyId, kemPreKey),
            kemPreKeySignature)) {
      throw new InvalidKeyException("KEM prekey signature does not verify");
    }
  }

  @Override
  public byte[] signedPreKey() {
    return copy(signedPreKey);
  }

  @Override
  public byte[] signedPreKeySignature() {
    return copy(signedPreKeySignature);
  }

  @Override
  public byte[] oneTimePreKey() {
    return copy(oneTimePreKey);
  }

  @Override
  public byte[] kemPreKey() {
    return copy(kemPreKey);
  }

  @Override
  public byte[] kemPreKeySignature() {
    return copy(kemPreKeySignature);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PreKeyBundle b
        && deviceId == b.deviceId
        && identityKey.equals(b.identityKey)
        && signedPreKeyId == b.signedPreKeyId
        && java.util.Arrays.equals(signedPreKey, b.signedPreKey)
        && java.util.Arrays.equals(signedPreKeySignature, b.signedPreKeySignature)
        && oneTimePreKeyId == b.oneTimePreKeyId
        && java.util.Arrays.equals(oneTimePreKey, b.oneTimePreKey)
        && kemPreKeyId == b.kemPreKeyId
        && java.util.Arrays.equals(kemPreKey, b.kemPreKey)
        && java.util.Arrays.equals(kemPreKeySignature, b.kemPreKeySignature);
  }

  @Override
  public int hashCode() {
    return Objects.hash(deviceId, identityKey, signedPreKeyId, oneTimePreKeyId, kemPreKeyId);
  }

  @Override
  public String toString() {
    return "PreKeyBundle[device="
        + deviceId
        + ", spk="
        + signedPreKeyId
        + ", opk="
        + oneTimePreKeyId
        + ", pqpk="
        + kemPreKeyId
        + "]";
  }

  private static byte[] copy(byte[] b) {
    return b == null ? null : b.clone();
  }
}
