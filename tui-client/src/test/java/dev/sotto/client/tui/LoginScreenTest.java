package dev.sotto.client.tui;

import static org.assertj.core.api.Assertions.assertThat;

import com.googlecode.lanterna.input.KeyType;
import dev.sotto.client.tui.model.InMemoryLoginController.Call;
import dev.sotto.client.tui.model.LoginResult;
import org.junit.jupiter.api.Test;

class LoginScreenTest {

  private static ScreenHarness start(int cols, int rows) {
    return new ScreenHarness(cols, rows, TuiConfig.defaults(), false);
  }

  @Test
  void start_80x24_showsPrefilledFieldsAndChoices() {
    ScreenHarness h = start(80, 24);
    assertThat(h.line(0)).contains("Sotto");
    assertThat(h.text())
        .contains("Server")
        .contains("[chat.lan:7777")
        .contains("Username")
        .contains("[alice")
        .contains("> Password")
        .contains("[ Log in ]")
        .contains("[ Register ]");
    assertThat(h.line(23)).contains("Enter submits").contains("Ctrl+C quits");
  }

  @Test
  void password_neverEchoed_andSentToTheController() {
    ScreenHarness h = start(80, 24);
    h.type("correct horse battery");
    assertThat(h.text()).doesNotContain("correct").doesNotContain("*****").doesNotContain("•");
    h.key(KeyType.Enter);
    assertThat(h.login.calls())
        .containsExactly(new Call("chat.lan", 7777, "alice", "correct horse battery", false, ""));
    assertThat(h.tui.inMain()).isTrue();
    assertThat(h.text()).contains("alice@chat.lan:7777").contains("connected");
  }

  @Test
  void emptyPassword_enterMovesThereAndSaysSo() {
    ScreenHarness h = start(80, 24);
    h.key(KeyType.Enter);
    assertThat(h.login.calls()).isEmpty();
    assertThat(h.text()).contains("Error: Password is empty.");
  }

  @Test
  void typedServerAndUser_areUsed() {
    ScreenHarness h = start(80, 24);
    h.key(KeyType.ArrowUp).key(KeyType.ArrowUp);
    h.ctrl('u').type("10.0.0.5:9000");
    h.key(KeyType.Tab).ctrl('u').type("Bob");
    h.key(KeyType.Tab).type("0123456789x").key(KeyType.Enter);
    assertThat(h.login.calls().get(0))
        .isEqualTo(new Call("10.0.0.5", 9000, "Bob", "0123456789x", false, ""));
  }

  @Test
  void badServer_explained() {
    ScreenHarness h = start(80, 24);
    h.key(KeyType.ArrowUp).key(KeyType.ArrowUp).ctrl('u').type("host:99999");
    h.key(KeyType.Tab).key(KeyType.Tab).type("whatever123").key(KeyType.Enter);
    assertThat(h.login.calls()).isEmpty();
    assertThat(h.text()).contains("Server must be host:port");
  }

  @Test
  void register_inviteRequired_showsInviteFieldThenSendsIt() {
    ScreenHarness h = start(80, 24);
    h.login.then(new LoginResult.InviteRequired("This server needs an invite code."));
    h.type("password123").key(KeyType.Tab).key(KeyType.ArrowRight);
    assertThat(h.text()).contains("[ Register ]");
    h.key(KeyType.Enter);
    assertThat(h.login.calls().get(0).register()).isTrue();
    assertThat(h.text()).contains("Invite code").contains("This server needs an invite code.");
    h.type("INV-42").key(KeyType.Enter);
    assertThat(h.login.calls()).hasSize(2);
    assertThat(h.login.calls().get(1).invite()).isEqualTo("INV-42");
    assertThat(h.login.calls().get(1).password()).isEqualTo("password123");
    assertThat(h.tui.inMain()).isTrue();
  }

  @Test
  void rejected_showsTheReasonAndStays() {
    ScreenHarness h = start(80, 24);
    h.login.then(new LoginResult.Rejected("wrong username or password"));
    h.type("badpassword1").key(KeyType.Enter);
    assertThat(h.tui.inMain()).isFalse();
    assertThat(h.text()).contains("Error: wrong username or password");
    // The next attempt starts from an empty password field, not after the hidden rejected one.
    h.type("goodpassword").key(KeyType.Enter);
    assertThat(h.login.calls()).hasSize(2);
    assertThat(h.login.calls().get(1).password()).isEqualTo("goodpassword");
  }

  @Test
  void firstUse_fingerprintAccepted_pinsAndLogsIn() {
    ScreenHarness h = start(80, 24);
    String fp = "3A:7F:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD";
    h.login.then(new LoginResult.UnknownServer(fp));
    h.type("password123").key(KeyType.Enter);
    assertThat(h.text())
        .contains("First connection to chat.lan:7777")
        .contains(fp)
        .contains("y = accept");
    h.type("y");
    assertThat(h.login.trusted()).containsExactly("chat.lan:7777 " + fp);
    assertThat(h.login.calls()).hasSize(2);
    assertThat(h.tui.inMain()).isTrue();
  }

  @Test
  void firstUse_fingerprintRefused_sendsNothingMore() {
    ScreenHarness h = start(80, 24);
    h.login.then(new LoginResult.UnknownServer("AA:BB"));
    h.type("password123").key(KeyType.Enter).type("n");
    assertThat(h.login.trusted()).isEmpty();
    assertThat(h.login.calls()).hasSize(1);
    assertThat(h.text()).contains("Server not accepted");
  }

  @Test
  void changedCertificate_fullScreenWarning_cannotBeAcceptedHere() {
    ScreenHarness h = start(80, 24);
    h.login.then(
        new LoginResult.ServerKeyChanged(
            "11:11", "22:22", "/home/a/.local/share/sotto/known_servers"));
    h.type("password123").key(KeyType.Enter);
    assertThat(h.text())
        .contains("WARNING: THE SERVER'S CERTIFICATE HAS CHANGED!")
        .contains("Remembered: 11:11")
        .contains("Presented:  22:22")
        .contains("known_servers");
    h.type("y");
    assertThat(h.login.trusted()).isEmpty();
    assertThat(h.tui.inMain()).isFalse();
    h.key(KeyType.Escape);
    assertThat(h.text()).contains("Error: Not connected: the server's certificate changed.");
  }

  @Test
  void ctrlC_quits() {
    ScreenHarness h = start(80, 24);
    h.ctrl('c');
    assertThat(h.tui.isQuit()).isTrue();
  }

  @Test
  void wideAndResized_stillWhole() {
    ScreenHarness h = start(160, 50);
    assertThat(h.text()).contains("[chat.lan:7777").contains("[ Register ]");
    h.resize(60, 16);
    assertThat(h.text()).contains("Server").contains("[ Log in ]");
    assertThat(h.line(15)).contains("Tab/Up/Down");
  }
}
