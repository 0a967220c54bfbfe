package dev.sotto.server.directory;

import java.util.Objects;
import java.util.Optional;

/**
 * What a fetch hands out for one device: identity keys, signed prekey, at most one one-time X25519
 * prekey, and one ML-KEM prekey (one-time if any is left, else the last-resort key).
 */
public record PreKeyBundle(
    String user,
    int deviceId,
    byte[] identitySigningKey,
    SignedPreKey identityAgreementKey,
    SignedPreKey signedPreKey,
    Optional<OneTimePreKey> oneTimePreKey,
    SignedPreKey kemPreKey,
    boolean kemPreKeyIsLastResort) {

  public PreKeyBundle {
    Objects.requireNonNull(user, "user");
    identitySigningKey = Objects.requireNonNull(identitySigningKey, "identitySigningKey").clone();
    Objects.requireNonNull(identityAgreementKey, "identityAgreementKey");
    Objects.requireNonNull(signedPreKey, "signedPreKey");
    Objects.requireNonNull(oneTimePreKey, "oneTimePreKey");
    Objects.requireNonNull(kemPreKey, "kemPreKey");
  }

  @Override
  public byte[] identitySigningKey() {
    return identitySigningKey.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PreKeyBundle b
        && user.equals(b.user)
        && deviceId == b.deviceId
        && java.util.Arrays.equals(identitySigningKey, b.identitySigningKey)
        && identityAgreementKey.equals(b.identityAgreementKey)
        && signedPreKey.equals(b.signedPreKey)
        && oneTimePreKey.equals(b.oneTimePreKey)
        && kemPreKey.equals(b.kemPreKey)
        && kemPreKeyIsLastResort == b.kemPreKeyIsLastResort;
  }

  @Override
  public int hashCode() {
    return Objects.hash(user, deviceId, signedPreKey, oneTimePreKey, kemPreKey);
  }
}
