package dev.sotto.keystore;

import java.util.Objects;

/**
 * A peer device: account name and device id (1 until several devices per account exist).
 *
 * @param name the case-folded account name
 * @param deviceId the device id, at least 1
 */
public record ProtocolAddress(String name, int deviceId) {
  /** Validates the fields. */
  public ProtocolAddress {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("expected a non-empty name");
    }
    if (deviceId < 1) {
      throw new IllegalArgumentException("expected device id >= 1, got " + deviceId);
    }
  }

  @Override
  public String toString() {
    return name + "." + deviceId;
  }
}
