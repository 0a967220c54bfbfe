package dev.sotto.client.tui.model;

import java.util.Objects;

/**
 * A user of the server, as {@code !list} shows it.
 *
 * @param username the username
 * @param presence the user's presence
 * @param blocked whether the logged-in user blocked this user
 */
public record UserInfo(String username, Presence presence, boolean blocked) {
  public UserInfo {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(presence, "presence");
  }
}
