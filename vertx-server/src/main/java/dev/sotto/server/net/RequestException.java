package dev.sotto.server.net;

import dev.sotto.wire.proto.ErrorCode;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * An expected refusal of a request by a handler: the stable wire code, a sentence for a person, and
 * optionally when to retry. The connection answers it with an {@code Error} frame echoing the
 * request id. Stackless.
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
