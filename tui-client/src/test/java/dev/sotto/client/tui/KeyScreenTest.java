package dev.sotto.client.tui;

import static org.assertj.core.api.Assertions.assertThat;

import com.googlecode.lanterna.TerminalPosition;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import dev.sotto.client.tui.model.Presence;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class KeyScreenTest {

  private static ScreenHarness chats() {
    return MainScreenTest.withChats();
  }

  @Test
  void altDigit_andEscThenDigit_switchConversations() {
    ScreenHarness h = chats();
    h.alt('2');
    assertThat(h.tui.mainView().current()).isEqualTo("carol");
    h.key(KeyType.Escape).type("3");
    assertThat(h.tui.mainView().current()).isEqualTo("dave");
    assertThat(h.tui.mainView().editor().text()).isEmpty();
    h.alt('9');
    assertThat(h.tui.mainView().current()).isEqualTo("dave");
    assertThat(h.line(22)).contains("no conversation 9");
  }

  @Test
  void ctrlNAndCtrlP_cycle() {
    ScreenHarness h = chats();
    h.ctrl('n');
    assertThat(h.tui.mainView().current()).isEqualTo("bob");
    h.ctrl('n').ctrl('n');
    assertThat(h.tui.mainView().current()).isEqualTo("dave");
    h.ctrl('n');
    assertThat(h.tui.mainView().current()).isEqualTo("bob");
    h.ctrl('p');
    assertThat(h.tui.mainView().current()).isEqualTo("dave");
  }

  @Test
  void altA_jumpsToNextWithUnread() {
    ScreenHarness h = chats().alt('3');
    h.alt('a');
    assertThat(h.tui.mainView().current()).isEqualTo("bob");
    h.alt('a');
    assertThat(h.tui.mainView().current()).isEqualTo("carol");
    h.alt('a');
    assertThat(h.line(22)).contains("no unread messages");
  }

  @Test
  void pageUpPageDown_scrollHistory() {
    ScreenHarness h = chats().alt('1');
    for (int i = 0; i < 80; i++) {
      h.model.receive("bob", "message number " + i, ScreenHarness.T0);
    }
    h.render();
    assertThat(h.text()).contains("message number 79").doesNotContain("message number 40 ");
    h.key(KeyType.PageUp);
    assertThat(h.text()).doesNotContain("message number 79");
    assertThat(h.line(22)).contains("-more-");
    h.key(KeyType.PageUp).key(KeyType.PageUp).key(KeyType.PageUp).key(KeyType.PageUp);
    assertThat(h.text()).contains("lunch today?");
    for (int i = 0; i < 6; i++) {
      h.key(KeyType.PageDown);
    }
    assertThat(h.text()).contains("message number 79");
    assertThat(h.line(22)).doesNotContain("-more-");
  }

  @Test
  void upDown_recallInput() {
    ScreenHarness h = chats().alt('1');
    h.enter("first line").enter("second line").type("draft");
    h.key(KeyType.ArrowUp);
    assertThat(h.line(23)).startsWith("[bob] second line");
    h.key(KeyType.ArrowUp);
    assertThat(h.line(23)).startsWith("[bob] first line");
    h.key(KeyType.ArrowDown).key(KeyType.ArrowDown);
    assertThat(h.line(23)).startsWith("[bob] draft");
  }

  @Test
  void readlineEditing_onTheInputLine() {
    ScreenHarness h = chats().alt('1');
    h.type("hello big world");
    h.ctrl('a').type(">");
    assertThat(h.tui.mainView().editor().text()).isEqualTo(">hello big world");
    h.ctrl('e').ctrl('w');
    assertThat(h.tui.mainView().editor().text()).isEqualTo(">hello big ");
    h.alt('b');
    h.ctrl('k');
    assertThat(h.tui.mainView().editor().text()).isEqualTo(">hello ");
    h.ctrl('y');
    assertThat(h.tui.mainView().editor().text()).isEqualTo(">hello big ");
    h.key(KeyType.Home).key(KeyType.Delete).alt('f').ctrl('u');
    assertThat(h.tui.mainView().editor().text()).isEqualTo(" big ");
    h.key(KeyType.End)
        .key(KeyType.Backspace)
        .key(KeyType.ArrowLeft)
        .key(KeyType.ArrowLeft)
        .type("_")
        .key(KeyType.ArrowRight)
        .type("!");
    assertThat(h.tui.mainView().editor().text()).isEqualTo(" b_i!g");
    assertThat(h.line(23)).startsWith("[bob]  b_i!g");
  }

  @Test
  void cursor_isPlacedAfterWideCharacters() {
    ScreenHarness h = chats().alt('1');
    h.type("你好");
    assertThat(h.line(23)).startsWith("[bob] 你好");
    assertThat(h.screen.getCursorPosition()).isEqualTo(new TerminalPosition(10, 23));
    h.key(KeyType.ArrowLeft);
    assertThat(h.screen.getCursorPosition()).isEqualTo(new TerminalPosition(8, 23));
  }

  @Test
  void longInput_scrollsHorizontallyKeepingCursorVisible() {
    ScreenHarness h = chats().alt('1');
    String s = "abcdefghij".repeat(12) + "END";
    h.type(s);
    assertThat(h.line(23)).contains("END");
    assertThat(h.screen.getCursorPosition().getColumn()).isLessThan(80);
    h.key(KeyType.Home);
    assertThat(h.line(23)).startsWith("[bob] abcdefghij");
  }

  @Test
  void altEnter_insertsNewline_enterSendsItWhole() {
    ScreenHarness h = chats().alt('1');
    h.type("line one").key(new KeyStroke(KeyType.Enter, false, true)).type("line two");
    assertThat(h.line(23)).startsWith("[bob] line one↵line two");
    h.key(KeyType.Enter);
    assertThat(h.model.calls()).contains("send bob line one\nline two");
    assertThat(h.text()).contains("alice │ line one").contains("│ line two");
  }

  @Test
  void bracketedPaste_keepsNewlines_untilEnterAfterThePaste() {
    ScreenHarness h = chats().alt('1');
    h.key(new Keys.PasteMarker(true));
    h.type("pasted\nthree\nlines");
    assertThat(h.line(22)).contains("pasting");
    h.key(new Keys.PasteMarker(false));
    assertThat(h.model.calls()).noneMatch(c -> c.startsWith("send"));
    assertThat(h.tui.mainView().editor().text()).isEqualTo("pasted\nthree\nlines");
    h.key(KeyType.Enter);
    assertThat(h.model.calls()).contains("send bob pasted\nthree\nlines");
  }

  @Test
  void tab_completesUsersAndCommands() {
    ScreenHarness h = chats().alt('1');
    h.type("hi @ca").key(KeyType.Tab);
    assertThat(h.tui.mainView().editor().text()).isEqualTo("hi @carol ");
    h.ctrl('u').type("!li").key(KeyType.Tab);
    assertThat(h.tui.mainView().editor().text()).isEqualTo("!list ");
    h.ctrl('u').type("/re").key(KeyType.Tab);
    assertThat(h.tui.mainView().editor().text()).isEqualTo("/re");
    assertThat(h.line(22)).contains("receipts resetkeys");
    h.ctrl('u').type("!talk d").key(KeyType.Tab);
    assertThat(h.tui.mainView().editor().text()).isEqualTo("!talk dave ");
    h.ctrl('u').type("zz").key(KeyType.Tab);
    assertThat(h.line(22)).contains("no completion for 'zz'");
  }

  @Test
  void ctrlL_redrawsCompletely() {
    ScreenHarness h = chats().alt('1');
    String before = h.text();
    h.ctrl('l');
    assertThat(h.text()).isEqualTo(before);
  }

  @Test
  void ctrlC_quits() {
    ScreenHarness h = chats();
    h.ctrl('c');
    assertThat(h.tui.isQuit()).isTrue();
  }

  @Test
  void bell_forMessagesNotOnScreen_notForMutedOrVisible() {
    ScreenHarness h = chats();
    assertThat(h.terminalBells.get()).as("bob's two messages arrived off screen").isEqualTo(2);
    h.terminalBells.set(0);
    h.alt('1');
    h.model.receive("bob", "visible", ScreenHarness.T0);
    h.render();
    assertThat(h.terminalBells.get()).isZero();
    assertThat(h.model.unread("bob")).isZero();
    h.model.receive("dave", "elsewhere", ScreenHarness.T0);
    h.render();
    assertThat(h.terminalBells.get()).isEqualTo(1);
    h.model.receive("carol", "muted one", ScreenHarness.T0);
    h.render();
    assertThat(h.terminalBells.get()).isEqualTo(1);
    for (int i = 0; i < 40; i++) {
      h.model.receive("bob", "fill " + i, ScreenHarness.T0);
    }
    h.render().key(KeyType.PageUp);
    h.model.receive("bob", "while scrolled", ScreenHarness.T0);
    h.render();
    assertThat(h.terminalBells.get()).isGreaterThanOrEqualTo(2);
    assertThat(h.line(2).substring(0, 16)).isEqualTo(" 2 ◐ carol ♪   2");
  }

  @Test
  void bell_offInConfig_neverRings() {
    ScreenHarness h =
        MainScreenTest.withChats(80, 24, TuiConfig.defaults().withBell(false)).alt('1');
    h.model.receive("dave", "elsewhere", ScreenHarness.T0);
    h.render();
    assertThat(h.terminalBells.get()).isZero();
  }

  @Test
  void idle_setsAwayThenBackOnline() {
    ScreenHarness h =
        MainScreenTest.withChats(80, 24, TuiConfig.defaults().withIdleAway(Duration.ofMinutes(5)));
    h.clock.advance(Duration.ofMinutes(4));
    h.tui.tick();
    assertThat(h.model.calls()).doesNotContain("presence AWAY");
    h.clock.advance(Duration.ofMinutes(2));
    h.tui.tick();
    h.render();
    assertThat(h.model.calls()).contains("presence AWAY");
    assertThat(h.line(22)).contains("away");
    h.type("x");
    assertThat(h.model.calls()).endsWith("presence ONLINE");
    assertThat(h.model.presence()).isEqualTo(Presence.ONLINE);
  }

  @Test
  void idle_doesNotOverrideDnd() {
    ScreenHarness h =
        MainScreenTest.withChats(80, 24, TuiConfig.defaults().withIdleAway(Duration.ofMinutes(5)));
    h.enter("!status dnd");
    h.clock.advance(Duration.ofMinutes(10));
    h.tui.tick();
    assertThat(h.model.calls()).doesNotContain("presence AWAY");
  }

  @Test
  void reboundKeys_fromConfig_areUsed() throws Exception {
    TuiConfig c =
        TuiConfig.defaults()
            .withKeys(KeyConfigParser.parse("next-conversation = F5\nquit = Ctrl+Q\n"));
    ScreenHarness h = MainScreenTest.withChats(80, 24, c);
    h.key(KeyType.F5);
    assertThat(h.tui.mainView().current()).isEqualTo("bob");
    h.ctrl('n');
    assertThat(h.tui.mainView().current()).isEqualTo("bob");
    h.ctrl('c');
    assertThat(h.tui.isQuit()).isFalse();
    h.ctrl('q');
    assertThat(h.tui.isQuit()).isTrue();
  }

  @Test
  void typedInput_survivesConnectionLossAndConversationSwitch() {
    ScreenHarness h = chats().alt('1');
    h.type("half written");
    h.model.setConnection(
        new dev.sotto.client.tui.model.ConnectionState.Reconnecting(
            ScreenHarness.T0.plusSeconds(8), "reset"));
    h.render().alt('2');
    assertThat(h.line(23)).startsWith("[carol] half written");
    assertThat(h.line(22)).contains("reconnecting in 8s");
  }

  @Test
  void emojiTypedAsSurrogatePair_isOneCharacter() {
    ScreenHarness h = chats().alt('1');
    h.type("a😀b");
    assertThat(h.tui.mainView().editor().text()).isEqualTo("a😀b");
    h.key(KeyType.Backspace).key(KeyType.Backspace);
    assertThat(h.tui.mainView().editor().text()).isEqualTo("a");
  }

  @Test
  void escThenUnboundCharacter_isTyped() {
    ScreenHarness h = chats().alt('1');
    h.key(KeyType.Escape).type("x");
    assertThat(h.tui.mainView().editor().text()).isEqualTo("x");
    assertThat(h.tui.mainView().current()).isEqualTo("bob");
  }

  @Test
  void scrolledUp_newMessagesDoNotMoveTheView() {
    ScreenHarness h = chats().alt('1');
    for (int i = 0; i < 60; i++) {
      h.model.receive("bob", "old " + i, ScreenHarness.T0);
    }
    h.render().key(KeyType.PageUp);
    String top = h.line(1).substring(17);
    h.model.receive("bob", "brand new", ScreenHarness.T0);
    h.model.receive("bob", "newer still", ScreenHarness.T0);
    h.render();
    assertThat(h.line(1).substring(17)).isEqualTo(top);
    assertThat(h.line(1).substring(0, 16)).endsWith("2");
    h.key(KeyType.PageDown).key(KeyType.PageDown);
    assertThat(h.text()).contains("newer still");
  }
}
