package dev.sotto.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JournalRecordTest {

  @Test
  void validMapName_acceptsExactlyOneToHundredOfTheAllowedCharacters() {
    assertThat(JournalRecord.validMapName("mailbox.entries")).isTrue();
    assertThat(JournalRecord.validMapName("a")).isTrue();
    assertThat(JournalRecord.validMapName("AZaz09._/-")).isTrue();
    assertThat(JournalRecord.validMapName("x".repeat(100))).isTrue();

    assertThat(JournalRecord.validMapName("")).isFalse();
    assertThat(JournalRecord.validMapName("x".repeat(101))).isFalse();
    for (String bad : new String[] {"bad name", "a:b", "é", "a\u0000", "a+b", "a\\b", "{x}"}) {
      assertThat(JournalRecord.validMapName(bad)).as(bad).isFalse();
    }
    // every ASCII character outside the set, alone
    for (char c = 0; c < 128; c++) {
      boolean allowed = Character.isLetterOrDigit(c) || ".-_/".indexOf(c) >= 0;
      assertThat(JournalRecord.validMapName(String.valueOf(c)))
          .as("char %d", (int) c)
          .isEqualTo(allowed);
    }
  }
}
