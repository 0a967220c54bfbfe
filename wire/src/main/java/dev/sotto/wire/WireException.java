package dev.sotto.wire;

import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.Frame;
import java.util.Objects;

/**
 * A frame or field that breaks the protocol. Carries the stable {@link ErrorCode} to send back and
 * a sentence a person understands. Stackless: these are expected rejections of peer input, and a
 * stack trace would only cost time.
 */
public final class WireException extends Exception {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  /**
   * @param code the wire error code; never {@code null}
   * @param message one sentence a person understands
   */
  public WireException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = Objects.requireNonNull(code, "code");
  }

  /**
   * @param code the wire error code
   * @param message one sentence a person understands
   * @param cause the underlying failure (e.g. a protobuf parse error)
   */
  public WireException(ErrorCode code, String message, Throwable cause) {
    super(message, cause, false, false);
    this.code = Objects.requireNonNull(code, "code");
  }

  /** The stable wire error code. */
  public ErrorCode code() {
    return code;
  }

  /** The error as a frame answering {@code requestId}. */
  public Frame toFrame(long requestId) {
    return ErrorMessages.error(requestId, code, getMessage());
  }
}
