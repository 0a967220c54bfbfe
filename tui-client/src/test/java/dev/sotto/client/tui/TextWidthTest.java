package dev.sotto.client.tui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TextWidthTest {

  @Test
  void of_asciiCjkEmojiAndMarks_haveTerminalWidths() {
    assertThat(TextWidth.of("abc")).isEqualTo(3);
    assertThat(TextWidth.of("你好")).isEqualTo(4);
    assertThat(TextWidth.of("😀")).isEqualTo(2);
    assertThat(TextWidth.of("e\u0301")).isEqualTo(1);
    assertThat(TextWidth.of("\u200d")).isZero();
    assertThat(TextWidth.of("\u001b")).isZero();
  }

  @Test
  void glyphs_unicodeAndAscii_areOneColumnPerChar() {
    for (Glyphs g : List.of(Glyphs.UNICODE, Glyphs.ASCII)) {
      for (String s :
          List.of(
              g.sending(),
              g.stored(),
              g.delivered(),
              g.read(),
              g.failed(),
              g.online(),
              g.away(),
              g.dnd(),
              g.offline(),
              g.muted(),
              g.vertical(),
              g.horizontal(),
              g.newline())) {
        assertThat(TextWidth.of(s)).as(s).isEqualTo(s.length());
      }
    }
    assertThat(Glyphs.UNICODE.read()).isNotEqualTo(Glyphs.UNICODE.delivered());
    assertThat(Glyphs.ASCII.read()).isNotEqualTo(Glyphs.ASCII.delivered());
    assertThat(
            String.join(
                "",
                Glyphs.ASCII.sending(),
                Glyphs.ASCII.stored(),
                Glyphs.ASCII.delivered(),
                Glyphs.ASCII.read(),
                Glyphs.ASCII.online()))
        .matches("[\\x20-\\x7e]*");
  }

  @Test
  void sanitize_controlCharacters_neverReachTheTerminal() {
    assertThat(TextWidth.sanitize("a\u001b[2Jb\tc\u0007\u009bd\ne")).isEqualTo("a?[2Jb c??d\ne");
    assertThat(TextWidth.sanitize("plain")).isEqualTo("plain");
  }

  @Test
  void wrap_breaksAtSpaces() {
    assertThat(TextWidth.wrap("the quick brown fox", 10)).containsExactly("the quick", "brown fox");
  }

  @Test
  void wrap_longWord_isSplit() {
    assertThat(TextWidth.wrap("abcdefghij", 4)).containsExactly("abcd", "efgh", "ij");
  }

  @Test
  void wrap_wideCharacters_neverSplitAcrossTheEdge() {
    assertThat(TextWidth.wrap("你好世界", 5)).containsExactly("你好", "世界");
    assertThat(TextWidth.wrap("ab😀😀", 3)).containsExactly("ab", "😀", "😀");
  }

  @Test
  void wrap_keepsNewlines() {
    assertThat(TextWidth.wrap("one\ntwo\n\nthree", 20)).containsExactly("one", "two", "", "three");
  }

  @Test
  void wrap_zeroWidth_rejected() {
    assertThatThrownBy(() -> TextWidth.wrap("x", 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void wrap_randomText_everyLineFitsAndNothingIsLost() {
    Random rnd = new Random(42);
    String[] pieces = {"a", "b", " ", "你", "😀", "é", "\n", "xyz", "  "};
    for (int round = 0; round < 500; round++) {
      StringBuilder sb = new StringBuilder();
      int n = rnd.nextInt(40);
      for (int i = 0; i < n; i++) {
        sb.append(pieces[rnd.nextInt(pieces.length)]);
      }
      int width = 2 + rnd.nextInt(12);
      List<String> lines = TextWidth.wrap(sb.toString(), width);
      for (String l : lines) {
        assertThat(TextWidth.of(l))
            .as("line %s of %s width %d", l, sb, width)
            .isLessThanOrEqualTo(width);
      }
      String joinedNoSpace = String.join("", lines).replaceAll("[ \n]", "");
      assertThat(joinedNoSpace).isEqualTo(sb.toString().replaceAll("[ \n]", ""));
    }
  }

  @Test
  void fitAndPad_countColumnsNotChars() {
    assertThat(TextWidth.fit("你好世界", 5)).isEqualTo("你好");
    assertThat(TextWidth.pad("你", 4)).isEqualTo("你  ");
  }
}
