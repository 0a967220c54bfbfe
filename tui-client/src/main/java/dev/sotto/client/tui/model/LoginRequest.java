package dev.sotto.client.tui.model;

import java.util.Objects;

/**
 * What the start screen collected.
 *
 * @param host server host name or address
 * @param port server TCP port
 * @param username the username as typed (the core case-folds and validates it)
 * @param password the password; the UI wipes the array after the login future completes
 * @param register whether to create the account instead of logging in
 * @param inviteCode the invite code for registration, or an empty string
 */
public record LoginRequest(
    String host, int port, String username, char[] password, boolean register, String inviteCode) {
  public LoginRequest {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(inviteCode, "inviteCode");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1..65535, got " + port);
    }
  }

  /** Never prints the password. */
  @Override
  public String toString() {
    return "LoginRequest[" + username + "@" + host + ":" + port + ", register=" + register + "]";
  }
}
