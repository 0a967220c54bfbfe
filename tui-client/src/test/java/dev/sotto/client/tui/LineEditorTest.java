package dev.sotto.client.tui;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LineEditorTest {

  private static LineEditor with(String text) {
    LineEditor e = new LineEditor();
    e.insert(text);
    return e;
  }

  @Test
  void insert_atCursor() {
    LineEditor e = with("held");
    e.left();
    e.left();
    e.insert("l");
    assertThat(e.text()).isEqualTo("hello".substring(0, 3) + "ld");
    assertThat(e.cursor()).isEqualTo(3);
  }

  @Test
  void homeEnd_moveToEnds() {
    LineEditor e = with("abc");
    e.home();
    assertThat(e.cursor()).isZero();
    e.end();
    assertThat(e.cursor()).isEqualTo(3);
  }

  @Test
  void leftRight_surrogatePairAndCombiningMark_moveAsOneUnit() {
    LineEditor e = with("a😀e\u0301b");
    e.left(); // before b
    e.left(); // before e+mark
    assertThat(e.text().substring(e.cursor())).isEqualTo("e\u0301b");
    e.left(); // before emoji
    assertThat(e.cursor()).isEqualTo(1);
    e.right();
    assertThat(e.cursor()).isEqualTo(3);
  }

  @Test
  void deleteBack_removesWholeEmojiAndAccentedLetter() {
    LineEditor e = with("x😀");
    e.deleteBack();
    assertThat(e.text()).isEqualTo("x");
    e = with("ae\u0301");
    e.deleteBack();
    assertThat(e.text()).isEqualTo("a");
  }

  @Test
  void deleteForward_removesUnderCursor() {
    LineEditor e = with("你好");
    e.home();
    e.deleteForward();
    assertThat(e.text()).isEqualTo("好");
    e.end();
    e.deleteForward();
    assertThat(e.text()).isEqualTo("好");
  }

  @Test
  void wordMotions_altBAndAltF() {
    LineEditor e = with("hello, big world");
    e.wordLeft();
    assertThat(e.cursor()).isEqualTo(11);
    e.wordLeft();
    assertThat(e.cursor()).isEqualTo(7);
    e.wordLeft();
    assertThat(e.cursor()).isZero();
    e.wordRight();
    assertThat(e.cursor()).isEqualTo(5);
    e.wordRight();
    assertThat(e.cursor()).isEqualTo(10);
  }

  @Test
  void killWordBack_ctrlW_stopsAtWhitespaceAndCanBeYanked() {
    LineEditor e = with("send this now  ");
    e.killWordBack();
    assertThat(e.text()).isEqualTo("send this ");
    assertThat(e.killed()).isEqualTo("now  ");
    e.home();
    e.yank();
    assertThat(e.text()).isEqualTo("now  send this ");
  }

  @Test
  void killToStartAndEnd_ctrlUAndCtrlK() {
    LineEditor e = with("abcdef");
    e.left();
    e.left();
    e.killToEnd();
    assertThat(e.text()).isEqualTo("abcd");
    assertThat(e.killed()).isEqualTo("ef");
    e.left();
    e.killToStart();
    assertThat(e.text()).isEqualTo("d");
    assertThat(e.killed()).isEqualTo("abc");
    assertThat(e.cursor()).isZero();
  }

  @Test
  void history_upDown_recallsAndKeepsDraft() {
    LineEditor e = new LineEditor();
    e.insert("first");
    e.submit();
    e.insert("second");
    e.submit();
    e.insert("draft");
    e.historyPrev();
    assertThat(e.text()).isEqualTo("second");
    e.historyPrev();
    assertThat(e.text()).isEqualTo("first");
    e.historyPrev();
    assertThat(e.text()).isEqualTo("first");
    e.historyNext();
    e.historyNext();
    assertThat(e.text()).isEqualTo("draft");
  }

  @Test
  void history_skipsBlankAndRepeated_andIsBounded() {
    LineEditor e = new LineEditor();
    for (int i = 0; i < LineEditor.MAX_HISTORY + 10; i++) {
      e.insert("line " + i);
      e.submit();
      e.insert("line " + i);
      e.submit();
      e.insert("   ");
      e.submit();
    }
    assertThat(e.history()).hasSize(LineEditor.MAX_HISTORY);
    assertThat(e.history().get(0)).isEqualTo("line 10");
  }

  @Test
  void submitSecret_isNotRecorded() {
    LineEditor e = with("hunter2hunter2");
    assertThat(e.submitSecret()).isEqualTo("hunter2hunter2");
    assertThat(e.history()).isEmpty();
    assertThat(e.text()).isEmpty();
  }

  @Test
  void insert_overCapacity_truncatesWithoutSplittingSurrogates() {
    LineEditor e = new LineEditor();
    e.insert("a".repeat(LineEditor.MAX_CHARS - 1));
    assertThat(e.insert("😀")).isFalse();
    assertThat(e.text()).hasSize(LineEditor.MAX_CHARS - 1);
    assertThat(e.insert("b")).isTrue();
    assertThat(e.insert("c")).isFalse();
  }

  @Test
  void wordBeforeCursor_andReplace_forCompletion() {
    LineEditor e = with("hi @bo");
    assertThat(e.wordBeforeCursor()).isEqualTo("@bo");
    e.replaceWordBeforeCursor("@bob ");
    assertThat(e.text()).isEqualTo("hi @bob ");
    assertThat(e.cursor()).isEqualTo(8);
  }

  @Test
  void newlines_areKeptAndAreTheirOwnCharacter() {
    LineEditor e = with("a\nb");
    e.left();
    e.deleteBack();
    assertThat(e.text()).isEqualTo("ab");
  }
}
