package dev.sotto.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sotto.wire.proto.ErrorCode;
import org.junit.jupiter.api.Test;

class UsernamesTest {
  @Test
  void normalize_mixedCaseWithSpaces_foldedAndTrimmed() throws WireException {
    assertThat(Usernames.normalize("  Alice.B_C-9 ")).isEqualTo("alice.b_c-9");
  }

  @Test
  void normalize_tooShort_invalidUsername() {
    assertThatThrownBy(() -> Usernames.normalize("ab"))
        .isInstanceOfSatisfying(
            WireException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_USERNAME);
              assertThat(e.getMessage()).contains("3 to 32");
            });
  }
}
