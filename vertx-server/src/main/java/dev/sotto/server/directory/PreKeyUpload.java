package dev.sotto.server.directory;

import java.util.List;
import java.util.Objects;

/**
 * A device's upload to the directory: the first bundle, a top-up of one-time prekeys, a rotation of
 * the signed or last-resort prekey, or ({@code replace}) an identity reset that drops every old
 * key. On a top-up the identity fields may be left out; when present they must match.
 *
 * @param identitySigningKey Ed25519 public key, 32 bytes; null when left out
 * @param identityAgreementKey X25519 identity key signed by the Ed25519 key; null when left out
 * @param signedPreKey X25519 signed prekey; null when left out
 * @param lastResortKemPreKey signed ML-KEM-768 last-resort prekey; null when left out
 */
public record PreKeyUpload(
    int deviceId,
    byte[] identitySigningKey,
    SignedPreKey identityAgreementKey,
    SignedPreKey signedPreKey,
    SignedPreKey lastResortKemPreKey,
    List<OneTimePreKey> oneTimePreKeys,
    List<SignedPreKey> oneTimeKemPreKeys,
    boolean replace) {

  public PreKeyUpload {
    identitySigningKey = identitySigningKey == null ? null : identitySigningKey.clone();
    oneTimePreKeys = List.copyOf(Objects.requireNonNull(oneTimePreKeys, "oneTimePreKeys"));
    oneTimeKemPreKeys = List.copyOf(Objects.requireNonNull(oneTimeKemPreKeys, "oneTimeKemPreKeys"));
  }

  @Override
  public byte[] identitySigningKey() {
    return identitySigningKey == null ? null : identitySigningKey.clone();
  }

  /** Whether every part of a full bundle is present (required for a first upload or a replace). */
  public boolean isComplete() {
    return identitySigningKey != null
        && identityAgreementKey != null
        && signedPreKey != null
        && lastResortKemPreKey != null;
  }
}
