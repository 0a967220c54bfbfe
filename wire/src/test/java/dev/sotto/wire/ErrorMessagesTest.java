package dev.sotto.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.Frame;
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
}
