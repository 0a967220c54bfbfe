package dev.sotto.server.request;

import dev.sotto.wire.proto.ErrorCode;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * An expected refusal of a request (taken name, wrong key, unknown user, throttled): the stable
 * wire code, a sentence for a person, and optionally when to retry (for {@link
 * ErrorCode#RATE_LIMITED}). Thrown by the account service and by handlers alike; the connection
 * answers it with an {@code Error} frame echoing the request id. Stackless: these are outcomes, not
 * bugs.
 */
public final class RequestException extends Exception {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final long retryAfterMs;

  /** A refusal with no retry time. */
  public RequestException(ErrorCode code, String message) {
    this(code, message, -1);
  }

  /** A refusal; {@code retryAfterMs} below zero means none. */
  public RequestException(ErrorCode code, String message, long retryAfterMs) {
    super(message, null, false, false);
    this.code = Objects.requireNonNull(code, "code");
    this.retryAfterMs = retryAfterMs;
  }

  /** The wire error code. */
  public ErrorCode code() {
    return code;
  }

  /** When the client may retry. */
  public OptionalLong retryAfterMs() {
    return retryAfterMs < 0 ? OptionalLong.empty() : OptionalLong.of(retryAfterMs);
  }
}
