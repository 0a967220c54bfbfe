package dev.sotto.client.tui;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.TextCharacter;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import com.googlecode.lanterna.terminal.virtual.VirtualTerminalListener;
import dev.sotto.client.tui.model.InMemoryChatModel;
import dev.sotto.client.tui.model.InMemoryLoginController;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Drives a {@link Tui} on a {@link DefaultVirtualTerminal} step by step and reads the terminal's
 * cells back as text lines.
 */
final class ScreenHarness {

  /** A clock the test moves by hand. */
  static final class MutableClock extends Clock {
    Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  static final Instant T0 = Instant.parse("2026-11-22T09:30:00Z");

  final DefaultVirtualTerminal terminal;
  final TerminalScreen screen;
  final MutableClock clock = new MutableClock(T0);
  final InMemoryChatModel model;
  final InMemoryLoginController login;
  final Tui tui;
  final AtomicInteger terminalBells = new AtomicInteger();

  ScreenHarness(int cols, int rows) {
    this(cols, rows, TuiConfig.defaults(), true);
  }

  ScreenHarness(int cols, int rows, TuiConfig base, boolean loggedIn) {
    try {
      terminal = new DefaultVirtualTerminal(new TerminalSize(cols, rows));
      terminal.addVirtualTerminalListener(
          new VirtualTerminalListener() {
            @Override
            public void onFlush() {}

            @Override
            public void onBell() {
              terminalBells.incrementAndGet();
            }

            @Override
            public void onClose() {}

            @Override
            public void onResized(com.googlecode.lanterna.terminal.Terminal t, TerminalSize s) {}
          });
      screen = new TerminalScreen(terminal);
      screen.startScreen();
      model = new InMemoryChatModel("alice", "chat.lan:7777", clock);
      login = new InMemoryLoginController("chat.lan:7777", "alice");
      TuiConfig config = base.withClock(clock, ZoneOffset.UTC);
      tui = new Tui(screen, model, login, config);
      if (loggedIn) {
        tui.showMain();
      }
      render();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  ScreenHarness render() {
    try {
      tui.runPending();
      tui.draw();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  ScreenHarness key(KeyStroke k) {
    tui.handle(k);
    return render();
  }

  ScreenHarness key(KeyType t) {
    return key(new KeyStroke(t));
  }

  ScreenHarness type(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\n') {
        tui.handle(new KeyStroke(KeyType.Enter));
      } else {
        tui.handle(new KeyStroke(c, false, false));
      }
      tui.runPending();
    }
    return render();
  }

  /** Types the line and presses Enter. */
  ScreenHarness enter(String line) {
    type(line);
    return key(KeyType.Enter);
  }

  ScreenHarness ctrl(char c) {
    return key(new KeyStroke(c, true, false));
  }

  ScreenHarness alt(char c) {
    return key(new KeyStroke(c, false, true));
  }

  ScreenHarness resize(int cols, int rows) {
    terminal.setTerminalSize(new TerminalSize(cols, rows));
    return render();
  }

  /** The screen as text lines (a wide character's second cell is skipped). */
  List<String> lines() {
    TerminalSize size = terminal.getTerminalSize();
    List<String> out = new ArrayList<>();
    for (int r = 0; r < size.getRows(); r++) {
      StringBuilder sb = new StringBuilder();
      for (int c = 0; c < size.getColumns(); c++) {
        TextCharacter tc = terminal.getCharacter(c, r);
        sb.append(tc.getCharacterString());
        if (tc.isDoubleWidth()) {
          c++;
        }
      }
      out.add(sb.toString());
    }
    return out;
  }

  String line(int row) {
    return lines().get(row);
  }

  String text() {
    return String.join("\n", lines());
  }

  /**
   * The message pane's text as one flowing string: each row's text after its last "│ " (or the
   * whole row), stripped and joined with single spaces, so sentences wrapped over rows can be found
   * whole.
   */
  String flowText() {
    StringBuilder sb = new StringBuilder();
    for (String l : lines()) {
      int bar = l.lastIndexOf("│ ");
      String part = (bar >= 0 ? l.substring(bar + 2) : l).strip();
      if (!part.isEmpty()) {
        sb.append(part).append(' ');
      }
    }
    return sb.toString().replaceAll(" +", " ");
  }

  TextCharacter cell(int col, int row) {
    return terminal.getCharacter(col, row);
  }

  /** Row index of the first line containing {@code s}, or -1. */
  int rowOf(String s) {
    List<String> l = lines();
    for (int i = 0; i < l.size(); i++) {
      if (l.get(i).contains(s)) {
        return i;
      }
    }
    return -1;
  }

  /** Prints the screen (debugging only). */
  void dump() {
    lines().forEach(l -> System.err.println("|" + l + "|"));
  }
}
