package dev.sotto.client.tui;

import static org.assertj.core.api.Assertions.assertThat;

import com.googlecode.lanterna.input.KeyType;
import dev.sotto.client.tui.model.ChatItem;
import dev.sotto.client.tui.model.DeliveryState;
import dev.sotto.client.tui.model.Presence;
import dev.sotto.client.tui.model.UserInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandScreenTest {

  private static ScreenHarness chats() {
    return MainScreenTest.withChats();
  }

  @Test
  void list_overlayWithPresence_arrowsEnterOpens_escCloses() {
    ScreenHarness h = chats();
    h.model.setUsers(
        List.of(
            new UserInfo("bob", Presence.ONLINE, false),
            new UserInfo("erin", Presence.DND, false),
            new UserInfo("mallory", Presence.OFFLINE, true)));
    h.enter("!LIST");
    assertThat(h.text()).contains("Users: Enter opens, Esc closes");
    assertThat(h.line(h.rowOf("erin"))).contains("⊘ erin").contains("dnd");
    assertThat(h.line(h.rowOf("mallory"))).contains("offline").contains("blocked");
    int bobRow = h.rowOf("│ ● bob");
    assertThat(h.cell(h.line(bobRow).indexOf("bob"), bobRow).getModifiers())
        .contains(com.googlecode.lanterna.SGR.REVERSE);
    h.key(KeyType.Escape);
    assertThat(h.text()).doesNotContain("Users: Enter opens");
    h.enter("/list");
    h.key(KeyType.ArrowDown).key(KeyType.Enter);
    assertThat(h.tui.mainView().current()).isEqualTo("erin");
    assertThat(h.line(0)).contains("erin");
    assertThat(h.text()).doesNotContain("Users: Enter opens");
    assertThat(h.model.calls()).contains("listUsers", "open erin");
  }

  @Test
  void list_failure_isANoticeNotACrash() {
    ScreenHarness h = chats();
    h.model.failNext("list", "not connected");
    h.enter("!list");
    assertThat(h.text()).contains("Cannot list users: not connected");
  }

  @Test
  void talk_opensConversation() {
    ScreenHarness h = chats();
    h.enter("!talk Carol");
    assertThat(h.tui.mainView().current()).isEqualTo("carol");
    assertThat(h.line(0)).contains("carol ◐ away (muted)");
    assertThat(h.text()).contains("ping");
    assertThat(h.tui.mainView().editor().text()).isEmpty();
  }

  @Test
  void back_focusesList_arrowsAndEnterOpen() {
    ScreenHarness h = chats().alt('1');
    h.enter("!back");
    assertThat(h.line(22)).contains("list: Up/Down, Enter opens");
    h.key(KeyType.ArrowDown).key(KeyType.ArrowDown).key(KeyType.Enter);
    assertThat(h.tui.mainView().current()).isEqualTo("dave");
    assertThat(h.line(22)).doesNotContain("list: Up/Down");
  }

  @Test
  void atUser_sendsWithoutSwitching() {
    ScreenHarness h = chats().alt('2');
    h.enter("@bob see you at 5");
    assertThat(h.model.calls()).contains("send bob see you at 5");
    assertThat(h.tui.mainView().current()).isEqualTo("carol");
    assertThat(h.text()).contains("Sent to bob: see you at 5");
  }

  @Test
  void plainText_sendsToOpenConversation_andShowsSending() {
    ScreenHarness h = chats().alt('1');
    h.enter("hello there");
    assertThat(h.model.calls()).contains("send bob hello there");
    assertThat(h.text()).contains("·  alice │ hello there");
    assertThat(h.tui.mainView().editor().text()).isEmpty();
  }

  @Test
  void sendFailure_isShownAndScreenStaysUp() {
    ScreenHarness h = chats().alt('1');
    h.model.failNext("send", "mailbox of bob is full (MAILBOX_FULL)");
    h.enter("hi");
    assertThat(h.flowText()).contains("Not sent to bob: mailbox of bob is full (MAILBOX_FULL)");
  }

  @Test
  void textWithoutConversation_keptInInputWithAHint() {
    ScreenHarness h = chats();
    h.enter("orphan text");
    assertThat(h.model.calls()).noneMatch(c -> c.startsWith("send"));
    assertThat(h.text()).contains("No conversation open");
    assertThat(h.tui.mainView().editor().text()).isEqualTo("orphan text");
  }

  @Test
  void help_listsEveryCommandAndKey_escCloses() {
    ScreenHarness h = new ScreenHarness(120, 80, TuiConfig.defaults(), true);
    h.enter("!help");
    String t = h.text();
    for (String[] c : CommandParser.COMMANDS) {
      assertThat(t).contains(c[1]);
    }
    assertThat(t)
        .contains("@USER TEXT")
        .contains("Ctrl+N")
        .contains("Alt+1")
        .contains("PageUp")
        .contains("Alt+Enter")
        .contains("Ctrl+W")
        .contains("Tab")
        .contains("Ctrl+L")
        .contains("F1")
        .contains("Ctrl+C")
        .contains("Esc then key");
    for (KeyAction a : KeyAction.values()) {
      assertThat(t).contains("[" + a.configName() + "]");
    }
    h.key(KeyType.Escape);
    assertThat(h.text()).doesNotContain("Esc then key");
  }

  @Test
  void help_at80x24_scrolls() {
    ScreenHarness h = chats();
    h.key(KeyType.F1);
    assertThat(h.text()).contains("Commands (! or /):").doesNotContain("[quit]");
    h.key(KeyType.PageDown).key(KeyType.PageDown).key(KeyType.PageDown);
    assertThat(h.text()).contains("[quit]");
    h.key(KeyType.F1);
    assertThat(h.text()).doesNotContain("[quit]");
  }

  @Test
  void status_setsPresence() {
    ScreenHarness h = chats();
    h.enter("!status dnd");
    assertThat(h.model.calls()).contains("presence DND");
    assertThat(h.text()).contains("You are now dnd.");
    assertThat(h.line(22)).endsWith("dnd" + " ".repeat(80 - h.line(22).strip().length() - 1));
  }

  @Test
  void blockUnblock_currentOrNamed() {
    ScreenHarness h = chats();
    h.enter("!block");
    assertThat(h.text()).contains("Usage: !block [USER]");
    h.alt('1').enter("!block");
    h.enter("!unblock eve");
    assertThat(h.model.calls()).contains("block bob", "unblock eve");
    assertThat(h.text()).contains("Blocked bob.").contains("Unblocked eve.");
  }

  @Test
  void muteUnmute_changeListMarkAndBell() {
    ScreenHarness h = chats().alt('1');
    h.enter("!mute");
    assertThat(h.model.calls()).contains("mute bob true");
    assertThat(h.line(1).substring(0, 16)).isEqualTo(" 1 ● bob ♪      ");
    h.enter("!unmute");
    assertThat(h.line(1).substring(0, 16)).isEqualTo(" 1 ● bob        ");
  }

  @Test
  void receipts_onOff() {
    ScreenHarness h = chats();
    h.enter("!receipts off");
    assertThat(h.model.calls()).contains("receipts false");
    assertThat(h.text()).contains("Read receipts are off.");
  }

  @Test
  void search_highlightsJumpsAndCycles() {
    ScreenHarness h = chats().alt('1');
    for (int i = 0; i < 60; i++) {
      h.model.receive(
          "bob", i == 5 ? "the secret word is Banana" : "filler " + i, ScreenHarness.T0);
    }
    h.model.receive("bob", "banana again", ScreenHarness.T0);
    h.render();
    assertThat(h.text()).doesNotContain("the secret word");
    h.enter("!search banana");
    assertThat(h.line(22)).contains("/banana 2/2");
    h.enter("!search banana");
    assertThat(h.text()).contains("the secret word is Banana");
    assertThat(h.line(22)).contains("/banana 1/2").contains("-more-");
    int row = h.rowOf("the secret word");
    int col = h.line(row).indexOf("Banana");
    assertThat(h.cell(col, row).getBackgroundColor())
        .isEqualTo(com.googlecode.lanterna.TextColor.ANSI.YELLOW);
    h.enter("!search nothing-like-this");
    assertThat(h.text()).contains("No match for \"nothing-like-this\"");
    h.enter("!search");
    assertThat(h.line(22)).doesNotContain("/banana");
  }

  @Test
  void verify_showsNumberAndChecksDigits() {
    ScreenHarness h = chats().alt('1');
    h.enter("!verify bob");
    assertThat(h.text())
        .contains("Safety number with bob")
        .contains("12345 67890 12345 67890 12345 67890");
    h.enter("!verify bob " + "1234567890".repeat(6));
    assertThat(h.text()).contains("The digits match: bob is verified.");
    h.enter("!verify bob " + "1111111111".repeat(6));
    assertThat(h.text()).contains("DO NOT match");
  }

  @Test
  void changedSafetyNumber_bannerBlocksSendingUntilTrust() {
    ScreenHarness h = chats().alt('1');
    h.model.setSafetyChanged("bob", true);
    h.render();
    assertThat(h.line(1)).contains("bob's safety number changed. Sending is blocked");
    assertThat(h.line(23)).startsWith("[bob: !trust first]");
    h.enter("are you really bob?");
    assertThat(h.model.calls()).noneMatch(c -> c.startsWith("send"));
    assertThat(h.text()).contains("Not sent: bob's safety number changed");
    assertThat(h.tui.mainView().editor().text()).isEqualTo("are you really bob?");
    h.tui.mainView().editor().clear();
    h.enter("@bob sneaky");
    assertThat(h.model.calls()).noneMatch(c -> c.startsWith("send"));
    h.tui.mainView().editor().clear();
    h.enter("!trust bob");
    assertThat(h.model.calls()).contains("trust bob");
    assertThat(h.text())
        .doesNotContain("Sending is blocked")
        .contains("You now trust bob's new key");
    h.enter("hi again");
    assertThat(h.model.calls()).contains("send bob hi again");
  }

  @Test
  void resetkeys_needsYes() {
    ScreenHarness h = chats();
    h.enter("!resetkeys");
    assertThat(h.line(23)).startsWith("Reset your keys? Type yes:");
    assertThat(h.flowText()).contains("every contact will see a changed safety number");
    h.enter("no");
    assertThat(h.model.calls()).doesNotContain("resetKeys");
    assertThat(h.text()).contains("Keys not reset.");
    h.enter("!resetkeys");
    h.enter("yes");
    assertThat(h.model.calls()).contains("resetKeys");
    assertThat(h.text()).contains("New identity made.");
  }

  @Test
  void passwd_promptsWithoutEcho() {
    ScreenHarness h = chats();
    h.enter("!passwd");
    assertThat(h.line(23)).startsWith("Current password (hidden");
    h.type("old-password-1");
    assertThat(h.text()).doesNotContain("old-password-1");
    h.key(KeyType.Enter);
    h.type("short");
    assertThat(h.text()).doesNotContain("short");
    h.key(KeyType.Enter);
    assertThat(h.flowText()).contains("at least 10 characters");
    h.type("new-password-22").key(KeyType.Enter);
    assertThat(h.line(23)).startsWith("Repeat the new password");
    h.type("new-password-22");
    assertThat(h.text()).doesNotContain("new-password-22");
    h.key(KeyType.Enter);
    assertThat(h.model.calls()).contains("changePassword old-password-1 -> new-password-22");
    assertThat(h.text()).contains("Password changed.");
    h.key(KeyType.ArrowUp);
    assertThat(h.tui.mainView().editor().text()).isEqualTo("!passwd");
  }

  @Test
  void passwd_mismatchOrEsc_changesNothing() {
    ScreenHarness h = chats();
    h.enter("!passwd").enter("old-password-1").enter("new-password-22").enter("new-password-23");
    assertThat(h.text()).contains("did not match");
    h.enter("!passwd").type("abc").key(KeyType.Escape);
    assertThat(h.tui.mainView().mode()).isEqualTo(MainView.Mode.NORMAL);
    assertThat(h.model.calls()).noneMatch(c -> c.startsWith("changePassword"));
  }

  @Test
  void logout_returnsToStartScreen() {
    ScreenHarness h = chats();
    h.enter("!logout");
    assertThat(h.model.calls()).contains("logout");
    assertThat(h.tui.inMain()).isFalse();
    assertThat(h.model.listenerCount()).isZero();
    assertThat(h.text()).contains("[ Log in ]").contains("Logged out.");
  }

  @Test
  void exit_quits() {
    ScreenHarness h = chats();
    h.enter("!exit");
    assertThat(h.tui.isQuit()).isTrue();
  }

  @Test
  void unknownCommand_suggestsClosest() {
    ScreenHarness h = chats();
    h.enter("!lsit");
    assertThat(h.text()).contains("Unknown command !lsit. Did you mean !list?");
    h.enter("/stauts away");
    assertThat(h.flowText()).contains("Did you mean !status?");
  }

  @Test
  void outgoingFailedMessage_isMarked() {
    ScreenHarness h = chats().alt('1');
    h.model.addItem(
        "bob",
        new ChatItem.Text("x", "alice", "lost one", ScreenHarness.T0, DeliveryState.FAILED, true),
        false);
    h.render();
    assertThat(h.text()).contains("✗  alice │ lost one");
  }

  @Test
  void search_reachesBeyondTheRenderWindow() {
    ScreenHarness h = chats().alt('1');
    h.model.receive("bob", "ancient needle", ScreenHarness.T0);
    for (int i = 0; i < MainView.MAX_RENDERED + 100; i++) {
      h.model.receive("bob", "hay " + i, ScreenHarness.T0);
    }
    h.render();
    long start = System.nanoTime();
    h.enter("!search needle");
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertThat(h.text()).contains("ancient needle");
    assertThat(ms).as("one key press with a long history").isLessThan(2000);
  }
}
