package dev.sotto.client.tui.model;

import java.time.Instant;
import java.util.Objects;

/** The state of the connection to the server, as the status bar shows it. */
public sealed interface ConnectionState {

  /** Logged in and connected. */
  record Connected() implements ConnectionState {}

  /**
   * The connection was lost; the next attempt is made at {@code nextAttempt} (back-off).
   *
   * @param nextAttempt when the core will try again
   * @param reason a short sentence saying why the connection was lost
   */
  record Reconnecting(Instant nextAttempt, String reason) implements ConnectionState {
    public Reconnecting {
      Objects.requireNonNull(nextAttempt, "nextAttempt");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * Not connected and not trying (e.g. logged out, or refused by the server).
   *
   * @param reason a short sentence for the user
   */
  record Offline(String reason) implements ConnectionState {
    public Offline {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
