package dev.sotto.client.core;

import java.io.IOException;

/**
 * The connection ended (closed by us, by the server, or lost) before a request was answered. Every
 * pending request fails with this exception when a connection drops. When the server said why it
 * closed (an {@code Error} push such as {@code TIMEOUT} or {@code SHUTTING_DOWN}), the cause is
 * that {@link ServerException}.
 */
public final class ConnectionClosedException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what happened, for a person
   * @param cause the server's reason or the I/O failure, or {@code null}
   */
  public ConnectionClosedException(String message, Throwable cause) {
    super(message, cause);
  }
}
