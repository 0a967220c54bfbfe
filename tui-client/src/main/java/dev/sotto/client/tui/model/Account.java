package dev.sotto.client.tui.model;

import java.util.Objects;

/**
 * The logged-in account.
 *
 * @param username the case-folded username
 * @param server the server as the user typed it, {@code host:port}
 */
public record Account(String username, String server) {
  public Account {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(server, "server");
  }
}
