package dev.sotto.client.tui;

import static org.assertj.core.api.Assertions.assertThat;

import com.googlecode.lanterna.SGR;
import com.googlecode.lanterna.TextCharacter;
import com.googlecode.lanterna.TextColor;
import dev.sotto.client.tui.model.ChatItem;
import dev.sotto.client.tui.model.ConnectionState;
import dev.sotto.client.tui.model.DeliveryState;
import dev.sotto.client.tui.model.Presence;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MainScreenTest {

  static final Instant T0 = ScreenHarness.T0;

  /** bob (online, 2 unread from yesterday and today), carol (away, muted, 1 unread), dave. */
  static ScreenHarness withChats(int cols, int rows, TuiConfig config) {
    ScreenHarness h = new ScreenHarness(cols, rows, config, true);
    h.model.addConversation("bob", Presence.ONLINE);
    h.model.addConversation("carol", Presence.AWAY);
    h.model.addConversation("dave", Presence.OFFLINE);
    h.model.addItem(
        "bob",
        new ChatItem.Text(
            "o1",
            "alice",
            "are you there?",
            T0.minus(Duration.ofDays(1)).minusSeconds(600),
            DeliveryState.READ,
            true),
        false);
    h.model.receive("bob", "yes, here", T0.minus(Duration.ofDays(1)));
    h.model.receive("bob", "lunch today?", T0.minusSeconds(60));
    h.model.setMutedDirect("carol", true);
    h.model.receive("carol", "ping", T0.minusSeconds(30));
    return h.render();
  }

  static ScreenHarness withChats() {
    return withChats(80, 24, TuiConfig.defaults());
  }

  @Test
  void layout_80x24_titleListPaneStatusInput() {
    ScreenHarness h = withChats();
    assertThat(h.line(0)).contains("Sotto").contains("!list shows users");
    assertThat(h.line(1)).startsWith(" 1 ● bob").endsWith("│ " + h.line(1).substring(18));
    assertThat(h.line(1).substring(0, 16)).isEqualTo(" 1 ● bob       2");
    assertThat(h.line(2).substring(0, 16)).isEqualTo(" 2 ◐ carol ♪   1");
    assertThat(h.line(3).substring(0, 16)).isEqualTo(" 3 ○ dave       ");
    assertThat(h.line(22))
        .contains("alice@chat.lan:7777")
        .contains("connected")
        .contains("[home]")
        .contains("online");
    assertThat(h.line(23)).startsWith("> ");
    for (String l : h.lines()) {
      assertThat(TextWidth.of(l)).isEqualTo(80);
    }
  }

  @Test
  void open_showsHistoryDaySeparatorsMarkerTicksAndHighlight() {
    ScreenHarness h = withChats().alt('1');
    List<String> lines = h.lines();
    assertThat(h.line(0)).contains("bob ● online");
    assertThat(h.text()).contains("Sat 21 Nov 2026").contains("Sun 22 Nov 2026");
    int sent = h.rowOf("are you there?");
    int marker = h.rowOf("new messages");
    int yes = h.rowOf("yes, here");
    int lunch = h.rowOf("lunch today?");
    assertThat(sent).isLessThan(marker);
    assertThat(marker).isLessThan(yes);
    assertThat(yes).isLessThan(h.rowOf("Sun 22 Nov"));
    assertThat(h.rowOf("Sun 22 Nov")).isLessThan(lunch);
    assertThat(lines.get(sent)).contains("09:20 ●● alice │ are you there?");
    assertThat(lines.get(lunch)).contains("09:29      bob │ lunch today?");
    assertThat(h.model.calls()).contains("open bob", "markRead bob");
    assertThat(h.line(1).substring(0, 16)).isEqualTo(" 1 ● bob        ");
    assertThat(h.cell(2, 1).getModifiers()).contains(SGR.REVERSE);
    assertThat(h.cell(2, 2).getModifiers()).doesNotContain(SGR.REVERSE);
    assertThat(h.line(22)).contains("[1:bob]");
    assertThat(h.line(23)).startsWith("[bob] ");
  }

  @Test
  void deliveryStates_showDistinctTicks() {
    ScreenHarness h = withChats().alt('1');
    h.enter("one");
    h.enter("two");
    h.enter("three");
    h.enter("four");
    h.enter("five");
    List<ChatItem> items = h.model.messages("bob");
    String[] ids = new String[5];
    for (int i = 0; i < 5; i++) {
      ids[i] = ((ChatItem.Text) items.get(items.size() - 5 + i)).id();
    }
    h.model.setState("bob", ids[1], DeliveryState.STORED);
    h.model.setState("bob", ids[2], DeliveryState.DELIVERED);
    h.model.setState("bob", ids[3], DeliveryState.READ);
    h.model.setState("bob", ids[4], DeliveryState.FAILED);
    h.render();
    assertThat(h.line(h.rowOf("│ one"))).contains("09:30 ·  alice │ one");
    assertThat(h.line(h.rowOf("│ two"))).contains("09:30 ✓  alice │ two");
    assertThat(h.line(h.rowOf("│ three"))).contains("09:30 ✓✓ alice │ three");
    assertThat(h.line(h.rowOf("│ four"))).contains("09:30 ●● alice │ four");
    assertThat(h.line(h.rowOf("│ five"))).contains("09:30 ✗  alice │ five");
  }

  @Test
  void asciiFallback_ticksPresenceAndLines() {
    ScreenHarness h = withChats(80, 24, TuiConfig.defaults().withUnicode(false)).alt('1');
    h.enter("hi");
    assertThat(h.line(h.rowOf("are you there?"))).contains("09:20 ** alice | are you there?");
    assertThat(h.line(h.rowOf("| hi"))).contains("09:30 .  alice | hi");
    assertThat(h.line(2).substring(0, 16)).isEqualTo(" 2 ~ carol m   1");
    assertThat(h.text())
        .contains("---- Sat 21 Nov 2026 ----")
        .doesNotContain("│")
        .doesNotContain("─");
    for (String l : h.lines()) {
      assertThat(l).matches("[\\x20-\\x7e]*");
    }
  }

  @Test
  void gapUndecryptableAndSystemLines_areShown() {
    ScreenHarness h = withChats().alt('1');
    h.model.addItem("bob", new ChatItem.Gap(3, T0), false);
    h.model.addItem("bob", new ChatItem.Undecryptable("bob", T0), true);
    h.model.addItem("bob", new ChatItem.SystemLine("bob's safety number changed", T0), false);
    h.render();
    assertThat(h.text())
        .contains("-!- │ 3 messages are missing here")
        .contains("bob │ [this message could not be decrypted; a new")
        .contains("session was requested]")
        .contains("-- │ bob's safety number changed");
  }

  @Test
  void status_connectionStates_withCountdown() {
    ScreenHarness h = withChats();
    h.model.setConnection(new ConnectionState.Reconnecting(T0.plusSeconds(5), "connection reset"));
    h.render();
    assertThat(h.line(22)).contains("reconnecting in 5s");
    h.clock.advance(Duration.ofMillis(2500));
    h.render();
    assertThat(h.line(22)).contains("reconnecting in 3s");
    h.model.setConnection(new ConnectionState.Offline("logged out elsewhere"));
    h.render();
    assertThat(h.line(22)).contains("offline: logged out elsewhere");
  }

  @Test
  void noColor_onlyDefaultColours_statusStillReversed() {
    ScreenHarness h = withChats(80, 24, TuiConfig.defaults().withColor(false)).alt('1');
    h.enter("!search lunch");
    for (int r = 0; r < 24; r++) {
      for (int c = 0; c < 80; c++) {
        TextCharacter tc = h.cell(c, r);
        assertThat(tc.getForegroundColor())
            .as("fg at %d,%d", c, r)
            .isEqualTo(TextColor.ANSI.DEFAULT);
        assertThat(tc.getBackgroundColor())
            .as("bg at %d,%d", c, r)
            .isEqualTo(TextColor.ANSI.DEFAULT);
      }
    }
    assertThat(h.cell(5, 22).getModifiers()).contains(SGR.REVERSE);
    assertThat(h.cell(5, 0).getModifiers()).contains(SGR.REVERSE);
    int row = h.rowOf("lunch today?");
    int col = h.line(row).indexOf("lunch");
    assertThat(h.cell(col, row).getModifiers()).contains(SGR.REVERSE, SGR.BOLD);
  }

  @Test
  void colour_statusBarAndHighlightUseColours() {
    ScreenHarness h = withChats().alt('1');
    h.enter("!search lunch");
    assertThat(h.cell(5, 22).getBackgroundColor()).isEqualTo(TextColor.ANSI.BLUE);
    int row = h.rowOf("lunch today?");
    int col = h.line(row).indexOf("lunch");
    assertThat(h.cell(col, row).getBackgroundColor()).isEqualTo(TextColor.ANSI.YELLOW);
    assertThat(h.cell(col + 6, row).getBackgroundColor()).isEqualTo(TextColor.ANSI.DEFAULT);
  }

  @Test
  void wideCharacters_wrapInsideThePane_nothingLost() {
    ScreenHarness h = withChats().alt('1');
    String text = "日本語のテキストはとても長いのでこの行は折り返されるはずです。絵文字😀も入っています。終わり";
    h.model.receive("bob", text, T0);
    h.render();
    StringBuilder shown = new StringBuilder();
    List<String> lines = h.lines();
    for (int r = h.rowOf("日本語"); r < 22; r++) {
      String l = lines.get(r);
      assertThat(TextWidth.of(l)).isEqualTo(80);
      shown.append(l.substring(l.lastIndexOf("│ ") + 2).strip());
    }
    assertThat(shown.toString()).contains(text);
    assertThat(lines.get(h.rowOf("日本語") + 1))
        .startsWith(" ".repeat(16) + "│ " + " ".repeat(14) + " │ ");
  }

  @Test
  void wide_160x50_listIsWiderAndEverythingFits() {
    ScreenHarness h = withChats(160, 50, TuiConfig.defaults()).alt('1');
    assertThat(h.line(1)).startsWith(" 1 ● bob");
    assertThat(h.line(1).charAt(24)).isEqualTo('│');
    assertThat(h.line(48)).contains("alice@chat.lan:7777");
    assertThat(h.line(49)).startsWith("[bob] ");
    assertThat(h.text()).contains("lunch today?");
  }

  @Test
  void resize_relayoutsEachTime() {
    ScreenHarness h = withChats().alt('1');
    h.resize(160, 50);
    assertThat(h.line(48)).contains("alice@chat.lan:7777");
    assertThat(h.line(1).charAt(24)).isEqualTo('│');
    h.resize(50, 12);
    assertThat(h.line(10)).contains("alice@chat.lan:7777");
    assertThat(h.line(11)).startsWith("[bob] ");
    assertThat(h.text()).contains("lunch today?").doesNotContain(" 1 ● bob");
    h.resize(20, 4);
    assertThat(h.text()).contains("Terminal too small");
    h.resize(80, 24);
    assertThat(h.line(1).substring(0, 16)).isEqualTo(" 1 ● bob        ");
    assertThat(h.line(22)).contains("[1:bob]");
  }

  @Test
  void peerText_withEscapeSequences_isNeutralised() {
    ScreenHarness h = withChats().alt('1');
    h.model.receive("bob", "evil\u001b[2Jclear", T0);
    h.render();
    assertThat(h.text()).contains("evil?[2Jclear");
  }
}
