package dev.sotto.server.mailbox;

import dev.sotto.wire.proto.ErrorCode;

/** A client's envelope broke a rule; {@link #code()} is the wire error to answer with. */
public final class InvalidEnvelopeException extends Exception {
  private static final long serialVersionUID = 1L;
  private final ErrorCode code;

  public InvalidEnvelopeException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  /** {@code INVALID_REQUEST}, {@code MESSAGE_TOO_LARGE} or {@code UNKNOWN_USER}. */
  public ErrorCode code() {
    return code;
  }
}
