package dev.sotto.client.core.messaging;

import java.io.IOException;

/**
 * A request needs the server and the {@link Messenger} is not connected (it is reconnecting, or
 * closed). Sends to contacts with a session do not fail this way: they wait in the outbox.
 */
public final class NotConnectedException extends IOException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a sentence for the user. */
  public NotConnectedException(String message) {
    super(message);
  }
}
