package dev.sotto.server.account;

import dev.sotto.wire.proto.ErrorCode;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * An expected refusal of an account request (taken name, wrong key, throttled): a stable wire code,
 * a sentence for a person, and for {@link ErrorCode#RATE_LIMITED} the time to wait. Stackless:
 * these are outcomes, not bugs.
 */
public final class AccountException extends Exception {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final long retryAfterMs;

  /** A refusal with no retry time. */
  public AccountException(ErrorCode code, String message) {
    this(code, message, -1);
  }

  /** A refusal; {@code retryAfterMs} below zero means none. */
  public AccountException(ErrorCode code, String message, long retryAfterMs) {
    super(message, null, false, false);
    this.code = Objects.requireNonNull(code, "code");
    this.retryAfterMs = retryAfterMs;
  }

  /** The wire error code. */
  public ErrorCode code() {
    return code;
  }

  /** When the client may retry, for {@link ErrorCode#RATE_LIMITED}. */
  public OptionalLong retryAfterMs() {
    return retryAfterMs < 0 ? OptionalLong.empty() : OptionalLong.of(retryAfterMs);
  }
}
