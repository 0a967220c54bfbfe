package dev.sotto.client.tui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyConfigParserTest {

  @Test
  void empty_givesDefaults() throws Exception {
    KeyBindings k = KeyConfigParser.parse("# nothing\n\n");
    assertThat(k.actionFor(KeyChord.alt("1"))).contains(KeyAction.CONVERSATION_1);
    assertThat(k.actionFor(KeyChord.ctrl("n"))).contains(KeyAction.NEXT_CONVERSATION);
    assertThat(k.actionFor(KeyChord.of("F1"))).contains(KeyAction.HELP);
  }

  @Test
  void rebinding_replacesDefaultKeysOfThatAction() throws Exception {
    KeyBindings k = KeyConfigParser.parse("next-unread = Alt+U\nnext-unread = F5\n");
    assertThat(k.actionFor(KeyChord.alt("u"))).contains(KeyAction.NEXT_UNREAD);
    assertThat(k.actionFor(KeyChord.of("F5"))).contains(KeyAction.NEXT_UNREAD);
    assertThat(k.actionFor(KeyChord.alt("a"))).isEmpty();
  }

  @Test
  void keyTakenFromADefault_movesToTheNewAction() throws Exception {
    KeyBindings k = KeyConfigParser.parse("redraw = ctrl+n");
    assertThat(k.actionFor(KeyChord.ctrl("n"))).contains(KeyAction.REDRAW);
    assertThat(k.actionFor(KeyChord.ctrl("l"))).isEmpty();
    assertThat(k.actionFor(KeyChord.ctrl("p"))).contains(KeyAction.PREVIOUS_CONVERSATION);
  }

  @Test
  void keyNames_caseInsensitiveWithAliases() {
    assertThat(KeyChord.parse("CTRL+alt+x")).isEqualTo(new KeyChord("x", true, true));
    assertThat(KeyChord.parse("pgup")).isEqualTo(KeyChord.of("PageUp"));
    assertThat(KeyChord.parse("Alt+Return")).isEqualTo(KeyChord.alt("Enter"));
    assertThat(KeyChord.parse("Meta-b")).isEqualTo(KeyChord.alt("b"));
    assertThat(KeyChord.ctrl("n").toString()).isEqualTo("Ctrl+N");
  }

  @Test
  void unknownAction_namesLineAndKnownActions() {
    assertThatThrownBy(() -> KeyConfigParser.parse("\nfly = Ctrl+F"))
        .isInstanceOf(KeyConfigException.class)
        .hasMessageContaining("line 2")
        .hasMessageContaining("unknown action 'fly'")
        .hasMessageContaining("next-unread");
  }

  @Test
  void unknownKey_rejected() {
    assertThatThrownBy(() -> KeyConfigParser.parse("redraw = Hyper+Q"))
        .isInstanceOf(KeyConfigException.class)
        .hasMessageContaining("line 1")
        .hasMessageContaining("unknown key");
  }

  @Test
  void missingEquals_orKey_rejected() {
    assertThatThrownBy(() -> KeyConfigParser.parse("redraw Ctrl+L"))
        .hasMessageContaining("expected 'action = key'");
    assertThatThrownBy(() -> KeyConfigParser.parse("redraw ="))
        .hasMessageContaining("no key given");
    assertThatThrownBy(() -> KeyConfigParser.parse("redraw = Ctrl+"))
        .hasMessageContaining("no key after the modifiers");
  }

  @Test
  void sameKeyForTwoActions_rejectedNamingBothLines() {
    assertThatThrownBy(() -> KeyConfigParser.parse("redraw = F5\nhelp = F5"))
        .isInstanceOf(KeyConfigException.class)
        .hasMessageContaining("line 2")
        .hasMessageContaining("already bound to redraw on line 1");
  }

  @Test
  void load_missingFile_givesDefaults_andReadsAFile(@TempDir Path dir) throws Exception {
    assertThat(KeyConfigParser.load(dir.resolve("nope.conf")).actionFor(KeyChord.ctrl("l")))
        .contains(KeyAction.REDRAW);
    Path f = dir.resolve("keys.conf");
    Files.writeString(f, "quit = Ctrl+Q\n");
    KeyBindings k = KeyConfigParser.load(f);
    assertThat(k.actionFor(KeyChord.ctrl("q"))).contains(KeyAction.QUIT);
    assertThat(k.actionFor(KeyChord.ctrl("c"))).isEmpty();
  }

  @Test
  void load_hugeFile_rejected(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("keys.conf");
    Files.writeString(f, "#".repeat(KeyConfigParser.MAX_BYTES + 1));
    assertThatThrownBy(() -> KeyConfigParser.load(f)).hasMessageContaining("larger than");
  }

  @Test
  void fromEnvironment_readsXdgKeysNoColorTermAndAway(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("sotto"));
    Files.writeString(dir.resolve("sotto/keys.conf"), "help = F2\n");
    TuiConfig c =
        TuiConfig.fromEnvironment(
            java.util.Map.of(
                "XDG_CONFIG_HOME", dir.toString(),
                "NO_COLOR", "",
                "TERM", "linux",
                "LANG", "en_US.UTF-8",
                "SOTTO_AWAY_MINUTES", "3",
                "SOTTO_BELL", "off"),
            java.nio.charset.StandardCharsets.UTF_8);
    assertThat(c.color()).isFalse();
    assertThat(c.unicode()).isFalse();
    assertThat(c.bell()).isFalse();
    assertThat(c.idleAway()).hasMinutes(3);
    assertThat(c.keys().actionFor(KeyChord.of("F2"))).contains(KeyAction.HELP);
    TuiConfig u =
        TuiConfig.fromEnvironment(
            java.util.Map.of(
                "XDG_CONFIG_HOME", dir.toString(), "TERM", "xterm-256color", "LC_ALL", "C.UTF-8"),
            java.nio.charset.StandardCharsets.UTF_8);
    assertThat(u.color()).isTrue();
    assertThat(u.unicode()).isTrue();
    TuiConfig ascii =
        TuiConfig.fromEnvironment(
            java.util.Map.of("XDG_CONFIG_HOME", dir.toString(), "TERM", "xterm", "LANG", "C"),
            java.nio.charset.StandardCharsets.UTF_8);
    assertThat(ascii.unicode()).isFalse();
    assertThatThrownBy(
            () ->
                TuiConfig.fromEnvironment(
                    java.util.Map.of("XDG_CONFIG_HOME", dir.toString(), "SOTTO_AWAY_MINUTES", "x"),
                    java.nio.charset.StandardCharsets.UTF_8))
        .hasMessageContaining("SOTTO_AWAY_MINUTES");
  }
}
