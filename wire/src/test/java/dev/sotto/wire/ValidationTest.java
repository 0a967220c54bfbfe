package dev.sotto.wire;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

class ValidationTest {
  @Test
  void messageId_16Bytes_accepted() {
    assertThatCode(() -> Validation.messageId(ByteString.copyFrom(new byte[16])))
        .doesNotThrowAnyException();
  }

  @Test
  void messageId_15Bytes_rejectedSayingWhatWasExpected() {
    assertThatThrownBy(() -> Validation.messageId(ByteString.copyFrom(new byte[15])))
        .isInstanceOf(WireException.class)
        .hasMessage("A message id must be 16 bytes, got 15.");
  }
}
