package dev.sotto.server.mailbox;

import java.util.Objects;

/**
 * One device of one account: the (user, device id) pair every envelope, prekey and session carries.
 *
 * @param user the case-folded username
 * @param deviceId 1 until several devices per account exist; always positive
 */
public record Address(String user, int deviceId) {
  public Address {
    Objects.requireNonNull(user, "user");
    if (deviceId < 1) {
      throw new IllegalArgumentException("expected a positive device id, got " + deviceId);
    }
  }

  @Override
  public String toString() {
    return user + "." + deviceId;
  }
}
