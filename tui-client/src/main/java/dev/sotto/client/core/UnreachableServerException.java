package dev.sotto.client.core;

import java.io.IOException;

/**
 * No TLS connection could be made: the name does not resolve, nothing listens on the port, the
 * connection timed out, or what answers does not speak TLS 1.3.
 */
public final class UnreachableServerException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message one sentence naming the server and the reason
   * @param cause the underlying failure
   */
  public UnreachableServerException(String message, Throwable cause) {
    super(message, cause);
  }
}
