package dev.sotto.wire;

import dev.sotto.wire.proto.Error;
import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.Frame;
import java.util.Objects;

/** Default sentences for every {@link ErrorCode} and helpers that build {@code Error} frames. */
public final class ErrorMessages {
  /** Longest message put into an {@code Error} frame; longer ones are cut. */
  public static final int MAX_MESSAGE_CHARS = 512;

  private ErrorMessages() {}

  /** A sentence a person understands, saying what went wrong for {@code code}. */
  public static String describe(ErrorCode code) {
    Objects.requireNonNull(code, "code");
    return switch (code) {
      case ERROR_UNSPECIFIED -> "Something went wrong, but the server did not say what.";
      case BAD_FRAME -> "The data received was not a valid Sotto frame.";
      case FRAME_TOO_LARGE -> "The frame was larger than the connection allows.";
      case UNSUPPORTED_VERSION -> "The server does not speak this protocol version.";
      case UNKNOWN_REQUEST -> "The server does not accept this kind of request.";
      case HANDSHAKE_REQUIRED -> "The connection must start with a Hello.";
      case NOT_AUTHENTICATED -> "Log in first.";
      case ALREADY_AUTHENTICATED -> "This connection is already logged in.";
      case INVALID_USERNAME -> Usernames.RULE;
      case USERNAME_TAKEN -> "That username is already taken.";
      case REGISTRATION_NOT_ALLOWED -> "This server does not accept new accounts.";
      case INVITE_INVALID -> "The invite code is not valid or has already been used.";
      case AUTH_FAILED -> "Wrong username or password.";
      case ACCOUNT_DISABLED -> "This account has been disabled by the server administrator.";
      case RATE_LIMITED -> "Too many attempts; wait a moment and try again.";
      case UNKNOWN_USER -> "There is no user by that name.";
      case MAILBOX_FULL -> "The recipient's mailbox is full; try again later.";
      case NO_PRE_KEYS -> "That user has not published the keys needed to start a conversation.";
      case INVALID_PRE_KEYS -> "The uploaded keys are malformed or their signatures do not verify.";
      case MESSAGE_TOO_LARGE -> "The message is too large.";
      case INVALID_REQUEST -> "The request breaks a protocol rule.";
      case SERVER_BUSY -> "The server is busy; try again shortly.";
      case INTERNAL -> "The server hit an internal error; nothing was changed.";
      case TIMEOUT -> "The connection was closed after a timeout.";
      case SHUTTING_DOWN -> "The server is shutting down.";
      case UNRECOGNIZED -> "The server reported an error this version of Sotto does not know.";
    };
  }

  /**
   * An {@code Error} frame answering {@code requestId}.
   *
   * @param message a sentence for a person; {@code null} or blank uses {@link #describe}
   */
  public static Frame error(long requestId, ErrorCode code, String message) {
    return Frame.newBuilder()
        .setRequestId(requestId)
        .setError(Error.newBuilder().setCode(code).setMessage(sentence(code, message)))
        .build();
  }

  /**
   * An {@code Error} frame answering {@code requestId} that says when to retry (e.g. {@code
   * RATE_LIMITED}, {@code SERVER_BUSY}).
   *
   * @param retryAfterMs milliseconds the client should wait; not negative
   */
  public static Frame error(long requestId, ErrorCode code, String message, long retryAfterMs) {
    if (retryAfterMs < 0) {
      throw new IllegalArgumentException("retryAfterMs must not be negative: " + retryAfterMs);
    }
    return Frame.newBuilder()
        .setRequestId(requestId)
        .setError(
            Error.newBuilder()
                .setCode(code)
                .setMessage(sentence(code, message))
                .setRetryAfterMs(retryAfterMs))
        .build();
  }

  /**
   * The answer to a {@code Hello} whose version the server does not speak: {@code
   * UNSUPPORTED_VERSION} naming the versions it does, in the message and in {@code
   * supported_versions}.
   *
   * @param requested the version the client asked for
   * @param supported the versions this server speaks; at least one
   */
  public static Frame unsupportedVersion(long requestId, int requested, int... supported) {
    if (supported.length == 0) {
      throw new IllegalArgumentException("a server speaks at least one version");
    }
    StringBuilder names = new StringBuilder();
    for (int i = 0; i < supported.length; i++) {
      if (i > 0) {
        names.append(i == supported.length - 1 ? " and " : ", ");
      }
      names.append(Integer.toUnsignedString(supported[i]));
    }
    Error.Builder error =
        Error.newBuilder()
            .setCode(ErrorCode.UNSUPPORTED_VERSION)
            .setMessage(
                "This server does not speak protocol version "
                    + Integer.toUnsignedString(requested)
                    + "; it speaks "
                    + (supported.length == 1 ? "version " : "versions ")
                    + names
                    + ".");
    for (int version : supported) {
      error.addSupportedVersions(version);
    }
    return Frame.newBuilder().setRequestId(requestId).setError(error).build();
  }

  private static String sentence(ErrorCode code, String message) {
    Objects.requireNonNull(code, "code");
    if (code == ErrorCode.UNRECOGNIZED) {
      throw new IllegalArgumentException("cannot send UNRECOGNIZED");
    }
    if (message == null || message.isBlank()) {
      return describe(code);
    }
    if (message.length() > MAX_MESSAGE_CHARS) {
      int end = MAX_MESSAGE_CHARS;
      if (Character.isHighSurrogate(message.charAt(end - 1))) {
        end--;
      }
      return message.substring(0, end);
    }
    return message;
  }
}
