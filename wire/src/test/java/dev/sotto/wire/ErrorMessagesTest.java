package dev.sotto.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.Frame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ErrorMessagesTest {
  @ParameterizedTest
  @EnumSource(ErrorCode.class)
  void describe_everyCode_givesASentence(ErrorCode code) {
    assertThat(ErrorMessages.describe(code)).isNotBlank().endsWith(".");
  }

  @ParameterizedTest
  @EnumSource(value = ErrorCode.class, names = "UNRECOGNIZED", mode = EnumSource.Mode.EXCLUDE)
  void error_nullMessage_usesDefaultSentence(ErrorCode code) {
    Frame frame = ErrorMessages.error(9, code, null);
    assertThat(frame.getRequestId()).isEqualTo(9);
    assertThat(frame.getError().getCode()).isEqualTo(code);
    assertThat(frame.getError().getMessage()).isEqualTo(ErrorMessages.describe(code));
    assertThat(frame.getError().hasRetryAfterMs()).isFalse();
  }

  @Test
  void error_withRetry_carriesRetryAndMessage() {
    Frame frame = ErrorMessages.error(3, ErrorCode.RATE_LIMITED, "Too many logins.", 2500);
    assertThat(frame.getError().getRetryAfterMs()).isEqualTo(2500);
    assertThat(frame.getError().getMessage()).isEqualTo("Too many logins.");
  }

  @Test
  void error_negativeRetry_rejected() {
    assertThatThrownBy(() -> ErrorMessages.error(3, ErrorCode.RATE_LIMITED, null, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void error_longMessage_cutWithoutSplittingASurrogatePair() {
    String message = "x".repeat(ErrorMessages.MAX_MESSAGE_CHARS - 1) + "😀" + "tail";
    String sent = ErrorMessages.error(1, ErrorCode.INTERNAL, message).getError().getMessage();
    assertThat(sent).hasSize(ErrorMessages.MAX_MESSAGE_CHARS - 1);
    assertThat(ErrorMessages.error(1, ErrorCode.INTERNAL, "a".repeat(2000)).getError().getMessage())
        .hasSize(ErrorMessages.MAX_MESSAGE_CHARS);
  }

  @Test
  void wireException_toFrame_keepsCodeAndSentence() {
    WireException e = new WireException(ErrorCode.INVALID_USERNAME, Usernames.RULE);
    Frame frame = e.toFrame(4);
    assertThat(frame.getRequestId()).isEqualTo(4);
    assertThat(frame.getError().getCode()).isEqualTo(ErrorCode.INVALID_USERNAME);
    assertThat(frame.getError().getMessage()).isEqualTo(Usernames.RULE);
    assertThat(e.getStackTrace()).isEmpty();
  }

  @Test
  void limits_toProto_announcesTheConstants() {
    var limits = WireLimits.toProto();
    assertThat(limits.getMaxFrameBeforeLogin()).isEqualTo(16384);
    assertThat(limits.getMaxFrameAfterLogin()).isEqualTo(1048576);
    assertThat(limits.getHeartbeatIntervalMs()).isEqualTo(30000);
    assertThat(limits.getIdleTimeoutMs()).isEqualTo(90000);
    assertThat(limits.getLoginTimeoutMs()).isEqualTo(10000);
    assertThat(limits.getMaxMessageBytes()).isEqualTo(WireLimits.MAX_MESSAGE_BYTES);
    // one envelope at the limit, with its addresses and ids, fits in a frame after login
    assertThat(WireLimits.MAX_MESSAGE_BYTES + 1024).isLessThan(WireLimits.MAX_FRAME_AFTER_LOGIN);
  }

  @Test
  void unsupportedVersion_namesSupportedVersionsInMessageAndField() {
    Frame frame = ErrorMessages.unsupportedVersion(1, 7, 1, 2);
    assertThat(frame.getError().getCode()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
    assertThat(frame.getError().getMessage())
        .isEqualTo("This server does not speak protocol version 7; it speaks versions 1 and 2.");
    assertThat(frame.getError().getSupportedVersionsList()).containsExactly(1, 2);
    assertThat(ErrorMessages.unsupportedVersion(1, 2, 1).getError().getMessage())
        .endsWith("it speaks version 1.");
  }
}
