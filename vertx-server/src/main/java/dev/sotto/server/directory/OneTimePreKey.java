package dev.sotto.server.directory;

import java.util.Arrays;
import java.util.Objects;

/** An unsigned one-time X25519 prekey. The array is copied in and out. */
public record OneTimePreKey(int id, byte[] publicKey) {
  public OneTimePreKey {
    publicKey = Objects.requireNonNull(publicKey, "publicKey").clone();
  }

  @Override
  public byte[] publicKey() {
    return publicKey.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OneTimePreKey k && id == k.id && Arrays.equals(publicKey, k.publicKey);
  }

  @Override
  public int hashCode() {
    return 31 * Integer.hashCode(id) + Arrays.hashCode(publicKey);
  }

  @Override
  public String toString() {
    return "OneTimePreKey[id=" + id + "]";
  }
}
