package dev.sotto.client.core;

import dev.sotto.wire.ErrorMessages;
import dev.sotto.wire.proto.Error;
import dev.sotto.wire.proto.ErrorCode;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The server refused a request: carries the stable {@link ErrorCode}, the server's sentence and,
 * for {@code RATE_LIMITED} and {@code SERVER_BUSY}, when to retry. Stackless: a refusal is an
 * expected outcome, not a bug.
 */
public final class ServerException extends Exception {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final transient Duration retryAfter;

  /**
   * @param code the wire error code
   * @param message the server's sentence (or ours when the server sent none)
   * @param retryAfter when to retry, or {@code null}
   */
  public ServerException(ErrorCode code, String message, Duration retryAfter) {
    super(
        message == null || message.isBlank() ? ErrorMessages.describe(code) : message,
        null,
        false,
        false);
    this.code = Objects.requireNonNull(code, "code");
    this.retryAfter = retryAfter;
  }

  /** Builds the exception from a wire {@code Error}. */
  public static ServerException of(Error error) {
    return new ServerException(
        error.getCode(),
        error.getMessage(),
        error.hasRetryAfterMs() ? Duration.ofMillis(error.getRetryAfterMs()) : null);
  }

  /** The stable error code. */
  public ErrorCode code() {
    return code;
  }

  /** When the server says to try again, if it said. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
