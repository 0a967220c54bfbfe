package dev.sotto.client.core.messaging;

import java.time.Instant;
import java.util.Objects;

/** The state of a {@link Messenger}'s connection, as a status bar shows it. */
public sealed interface ConnectionStatus {

  /** Logged in: sending and receiving. */
  record Online() implements ConnectionStatus {}

  /**
   * The connection was lost; the next attempt is at {@code nextAttempt} (exponential back-off with
   * jitter). Sends are committed to the outbox meanwhile and go out after the reconnect.
   *
   * @param nextAttempt when the next attempt starts (a countdown can be shown)
   * @param attempt how many attempts failed since the connection was lost (0 before the first)
   * @param reason a sentence saying why the connection was lost or the last attempt failed
   */
  record Reconnecting(Instant nextAttempt, int attempt, String reason) implements ConnectionStatus {
    /** Checks for nulls. */
    public Reconnecting {
      Objects.requireNonNull(nextAttempt, "nextAttempt");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * Not connected and not trying again: closed by {@link Messenger#close()}, or refused for good
   * (wrong credentials after a password change elsewhere, account disabled, changed server
   * certificate).
   *
   * @param reason a sentence for the user
   */
  record Offline(String reason) implements ConnectionStatus {
    /** Checks for nulls. */
    public Offline {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
