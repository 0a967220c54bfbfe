package dev.sotto.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sotto.wire.proto.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UsernamesTest {
  @Test
  void normalize_mixedCaseWithSpaces_foldedAndTrimmed() throws WireException {
    assertThat(Usernames.normalize("  Alice.B_C-9 ")).isEqualTo("alice.b_c-9");
  }

  @Test
  void normalize_bounds_3and32Accepted() throws WireException {
    assertThat(Usernames.normalize("abc")).isEqualTo("abc");
    assertThat(Usernames.normalize("a".repeat(32))).isEqualTo("a".repeat(32));
  }

  @Test
  void normalize_turkishLocaleDefault_stillFoldsWithRoot() throws WireException {
    java.util.Locale saved = java.util.Locale.getDefault();
    try {
      java.util.Locale.setDefault(java.util.Locale.forLanguageTag("tr-TR"));
      assertThat(Usernames.normalize("IVAN")).isEqualTo("ivan");
    } finally {
      java.util.Locale.setDefault(saved);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "ab",
        "  ab  ",
        "a b c",
        "alice!",
        "al/ice",
        "élodie",
        "\u212Aate", // Kelvin sign lower-cases to ASCII k: must not alias "kate"
        "bo\u0000b",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" // 33
      })
  void normalize_breaksRule_invalidUsernameSayingTheRule(String raw) {
    assertThatThrownBy(() -> Usernames.normalize(raw))
        .isInstanceOfSatisfying(
            WireException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_USERNAME);
              assertThat(e.getMessage()).contains("3 to 32").contains("a-z");
            });
  }

  @Test
  void normalize_tooLong_saysHowLong() {
    assertThatThrownBy(() -> Usernames.normalize("x".repeat(40)))
        .hasMessageContaining("got 40 characters");
  }

  @Test
  void isCanonical_matchesNormalize() throws WireException {
    assertThat(Usernames.isCanonical("bob")).isTrue();
    assertThat(Usernames.isCanonical("Bob")).isFalse();
    assertThat(Usernames.isCanonical(" bob")).isFalse();
    assertThat(Usernames.isCanonical(null)).isFalse();
    assertThat(Usernames.isCanonical(Usernames.normalize(" Bob "))).isTrue();
  }
}
