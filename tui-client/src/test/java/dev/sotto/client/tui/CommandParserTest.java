package dev.sotto.client.tui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sotto.client.tui.model.Presence;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommandParserTest {

  @Test
  void plainText_isAMessage() {
    assertThat(CommandParser.parse("hello there")).isEqualTo(new Command.Message("hello there"));
  }

  @Test
  void doubledPrefix_sendsLiteralText() {
    assertThat(CommandParser.parse("!!wow")).isEqualTo(new Command.Message("!wow"));
    assertThat(CommandParser.parse("//path")).isEqualTo(new Command.Message("/path"));
  }

  @Test
  void blank_isEmpty() {
    assertThat(CommandParser.parse("   ")).isInstanceOf(Command.Empty.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"!LIST", "/list", "!list", " !List"})
  void list_anyCaseAndPrefix(String line) {
    assertThat(CommandParser.parse(line.strip())).isInstanceOf(Command.ListUsers.class);
  }

  @Test
  void talk_needsAValidUser() {
    assertThat(CommandParser.parse("!TALK Bob")).isEqualTo(new Command.Talk("bob"));
    assertThat(CommandParser.parse("!talk @bob")).isEqualTo(new Command.Talk("bob"));
    assertThat(CommandParser.parse("!talk")).isInstanceOf(Command.Invalid.class);
    assertThat(((Command.Invalid) CommandParser.parse("!talk b!")).message())
        .contains("Usage: !talk USER");
  }

  @Test
  void atUser_sendsOneMessage() {
    assertThat(CommandParser.parse("@Bob see you at 5"))
        .isEqualTo(new Command.SendTo("bob", "see you at 5"));
    assertThat(CommandParser.parse("@bob")).isInstanceOf(Command.Invalid.class);
    assertThat(CommandParser.parse("@ hi")).isInstanceOf(Command.Invalid.class);
  }

  @Test
  void simpleCommands() {
    assertThat(CommandParser.parse("!back")).isInstanceOf(Command.Back.class);
    assertThat(CommandParser.parse("!help")).isInstanceOf(Command.Help.class);
    assertThat(CommandParser.parse("!mute")).isEqualTo(new Command.Mute(true));
    assertThat(CommandParser.parse("!unmute")).isEqualTo(new Command.Mute(false));
    assertThat(CommandParser.parse("!resetkeys")).isInstanceOf(Command.ResetKeys.class);
    assertThat(CommandParser.parse("!passwd")).isInstanceOf(Command.Passwd.class);
    assertThat(CommandParser.parse("!logout")).isInstanceOf(Command.Logout.class);
    assertThat(CommandParser.parse("!exit")).isInstanceOf(Command.Exit.class);
    assertThat(CommandParser.parse("/quit")).isInstanceOf(Command.Exit.class);
  }

  @Test
  void noArgCommand_withArgs_isUsageError() {
    assertThat(((Command.Invalid) CommandParser.parse("!list everyone")).message())
        .contains("takes no arguments");
  }

  @Test
  void status_onlyOnlineAwayDnd() {
    assertThat(CommandParser.parse("!status AWAY")).isEqualTo(new Command.Status(Presence.AWAY));
    assertThat(CommandParser.parse("!status dnd")).isEqualTo(new Command.Status(Presence.DND));
    assertThat(CommandParser.parse("!status offline")).isInstanceOf(Command.Invalid.class);
    assertThat(CommandParser.parse("!status")).isInstanceOf(Command.Invalid.class);
  }

  @Test
  void blockUnblock_userOptional() {
    assertThat(CommandParser.parse("!block")).isEqualTo(new Command.Block(Optional.empty()));
    assertThat(CommandParser.parse("!block eve")).isEqualTo(new Command.Block(Optional.of("eve")));
    assertThat(CommandParser.parse("!unblock eve"))
        .isEqualTo(new Command.Unblock(Optional.of("eve")));
    assertThat(CommandParser.parse("!block eve mallory")).isInstanceOf(Command.Invalid.class);
  }

  @Test
  void receipts_onOff() {
    assertThat(CommandParser.parse("!receipts on")).isEqualTo(new Command.Receipts(true));
    assertThat(CommandParser.parse("!receipts OFF")).isEqualTo(new Command.Receipts(false));
    assertThat(CommandParser.parse("!receipts maybe")).isInstanceOf(Command.Invalid.class);
  }

  @Test
  void search_keepsTextAsTyped() {
    assertThat(CommandParser.parse("!search Lunch  plans"))
        .isEqualTo(new Command.Search("Lunch  plans"));
    assertThat(CommandParser.parse("!search")).isEqualTo(new Command.Search(""));
  }

  @Test
  void verify_digitsWithOrWithoutSpaces() {
    String groups = "12345 67890 12345 67890 12345 67890 12345 67890 12345 67890 12345 67890";
    assertThat(CommandParser.parse("!verify bob"))
        .isEqualTo(new Command.Verify("bob", Optional.empty()));
    assertThat(CommandParser.parse("!verify bob " + groups))
        .isEqualTo(new Command.Verify("bob", Optional.of(groups.replace(" ", ""))));
    assertThat(((Command.Invalid) CommandParser.parse("!verify bob 12345")).message())
        .contains("60 digits")
        .contains("got 5");
  }

  @Test
  void trust_needsUser() {
    assertThat(CommandParser.parse("!trust bob")).isEqualTo(new Command.Trust("bob"));
    assertThat(CommandParser.parse("!trust")).isInstanceOf(Command.Invalid.class);
  }

  @Test
  void unknown_suggestsClosest() {
    assertThat(((Command.Invalid) CommandParser.parse("!lst")).message())
        .contains("Unknown command !lst")
        .contains("Did you mean !list?");
    assertThat(((Command.Invalid) CommandParser.parse("/stauts away")).message())
        .contains("Did you mean !status?");
    assertThat(((Command.Invalid) CommandParser.parse("!xyzzyplugh")).message())
        .contains("!help")
        .doesNotContain("Did you mean");
  }

  @Test
  void bareBang_isExplained() {
    assertThat(((Command.Invalid) CommandParser.parse("!")).message()).contains("!help");
  }

  @Test
  void randomInput_neverThrows() {
    Random rnd = new Random(7);
    String alphabet = "!/@ abcdefghijklmnopqrstuvwxyz0123456789._-\t\n😀你";
    for (int i = 0; i < 5000; i++) {
      StringBuilder sb = new StringBuilder();
      int n = rnd.nextInt(30);
      for (int j = 0; j < n; j++) {
        sb.appendCodePoint(
            alphabet.codePointAt(
                alphabet.offsetByCodePoints(
                    0, rnd.nextInt(alphabet.codePointCount(0, alphabet.length())))));
      }
      assertThat(CommandParser.parse(sb.toString())).isNotNull();
    }
  }
}
