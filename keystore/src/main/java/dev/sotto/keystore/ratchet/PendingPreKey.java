package dev.sotto.keystore.ratchet;

import dev.sotto.keystore.crypto.MlKem768;

/**
 * What an initiator repeats in every message until it hears from the responder: the prekey ids it
 * used, its PQXDH ephemeral key and the ML-KEM ciphertext.
 *
 * @param signedPreKeyId the responder's signed prekey id
 * @param oneTimePreKeyId the responder's one-time prekey id, 0 if none
 * @param kemPreKeyId the responder's KEM prekey id
 * @param baseKey the initiator's ephemeral X25519 public key
 * @param kemCiphertext the 1088-byte ML-KEM ciphertext
 */
public record PendingPreKey(
    int signedPreKeyId,
    int oneTimePreKeyId,
    int kemPreKeyId,
    byte[] baseKey,
    byte[] kemCiphertext) {
  /** Validates and copies. */
  public PendingPreKey {
    if (baseKey.length != 32 || kemCiphertext.length != MlKem768.CIPHERTEXT_LENGTH) {
      throw new IllegalArgumentException("invalid pending prekey fields");
    }
    baseKey = baseKey.clone();
    kemCiphertext = kemCiphertext.clone();
  }

  @Override
  public byte[] baseKey() {
    return baseKey.clone();
  }

  @Override
  public byte[] kemCiphertext() {
    return kemCiphertext.clone();
  }

  @Override
  public String toString() {
    return "PendingPreKey[spk="
        + signedPreKeyId
        + ", opk="
        + oneTimePreKeyId
        + ", pqpk="
        + kemPreKeyId
        + "]";
  }
}
