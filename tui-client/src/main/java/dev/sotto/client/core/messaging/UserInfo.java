package dev.sotto.client.core.messaging;

import java.util.Objects;

/**
 * A user of the server as {@link Messenger#users()} lists them.
 *
 * @param name the canonical username
 * @param presence their presence
 * @param blocked whether this account blocks them
 */
public record UserInfo(String name, Presence presence, boolean blocked) {
  /** Checks for nulls. */
  public UserInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(presence, "presence");
  }
}
