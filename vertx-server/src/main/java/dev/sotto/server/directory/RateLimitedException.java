package dev.sotto.server.directory;

import dev.sotto.wire.ErrorMessages;
import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.Frame;

/** Too many requests; answer {@code RATE_LIMITED} with {@link #retryAfterMs()}. */
public final class RateLimitedException extends Exception {
  private static final long serialVersionUID = 1L;
  private final long retryAfterMs;

  public RateLimitedException(String message, long retryAfterMs) {
    super(message, null, false, false);
    this.retryAfterMs = retryAfterMs;
  }

  /** Milliseconds until a retry can succeed. */
  public long retryAfterMs() {
    return retryAfterMs;
  }

  public ErrorCode code() {
    return ErrorCode.RATE_LIMITED;
  }

  /** The error frame answering {@code requestId}. */
  public Frame toFrame(long requestId) {
    return ErrorMessages.error(requestId, ErrorCode.RATE_LIMITED, getMessage(), retryAfterMs);
  }
}
