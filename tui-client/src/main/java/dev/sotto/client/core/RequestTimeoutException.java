package dev.sotto.client.core;

import java.io.IOException;

/** The server did not answer a request within the request timeout. */
public final class RequestTimeoutException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message which request and how long we waited
   */
  public RequestTimeoutException(String message) {
    super(message);
  }
}
