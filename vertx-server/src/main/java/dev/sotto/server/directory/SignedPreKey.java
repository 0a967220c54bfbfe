package dev.sotto.server.directory;

import java.util.Arrays;
import java.util.Objects;

/**
 * A public key with the owner's Ed25519 signature over it (X25519 prekey, identity agreement key,
 * or ML-KEM-768 prekey). Arrays are copied in and out.
 */
public record SignedPreKey(int id, byte[] publicKey, byte[] signature) {
  public SignedPreKey {
    publicKey = Objects.requireNonNull(publicKey, "publicKey").clone();
    signature = Objects.requireNonNull(signature, "signature").clone();
  }

  @Override
  public byte[] publicKey() {
    return publicKey.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SignedPreKey k
        && id == k.id
        && Arrays.equals(publicKey, k.publicKey)
        && Arrays.equals(signature, k.signature);
  }

  @Override
  public int hashCode() {
    return 31 * Integer.hashCode(id) + Arrays.hashCode(publicKey);
  }

  @Override
  public String toString() {
    return "SignedPreKey[id=" + id + ", " + publicKey.length + " bytes]";
  }
}
