package dev.sotto.client.tui.adapter;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.TextCharacter;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import dev.sotto.client.tui.TuiApp;
import dev.sotto.client.tui.TuiConfig;
import dev.sotto.client.tui.model.ChatModel;
import dev.sotto.client.tui.model.LoginController;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The real {@link TuiApp#run} event loop on a Lanterna virtual terminal, in a thread of its own:
 * tests type keys into the terminal's input queue and wait for text to appear on its cells.
 */
final class VirtualTui implements AutoCloseable {

  static final Duration WAIT = Duration.ofSeconds(20);

  final DefaultVirtualTerminal terminal;
  private final Thread thread;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  VirtualTui(int cols, int rows, ChatModel model, LoginController login, TuiConfig config) {
    terminal = new DefaultVirtualTerminal(new TerminalSize(cols, rows));
    thread =
        new Thread(
            () -> {
              try {
                TuiApp.run(terminal, model, login, config);
              } catch (Throwable t) {
                failure.set(t);
              }
            },
            "virtual-tui");
    thread.setDaemon(true);
    thread.start();
  }

  VirtualTui type(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      terminal.addInput(c == '\n' ? new KeyStroke(KeyType.Enter) : new KeyStroke(c, false, false));
    }
    return this;
  }

  VirtualTui key(KeyType t) {
    terminal.addInput(new KeyStroke(t));
    return this;
  }

  /** Types the line and presses Enter. */
  VirtualTui enter(String line) {
    return type(line).key(KeyType.Enter);
  }

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

  String text() {
    return String.join("\n", lines());
  }

  /** The screen's text with runs of spaces and line ends squeezed, for sentences that wrap. */
  String flat() {
    return text().replaceAll("[│|]", " ").replaceAll("\\s+", " ");
  }

  /**
   * Waits until the screen shows {@code s} (after squeezing white space).
   *
   * @throws AssertionError with the screen when it does not within {@link #WAIT}
   */
  VirtualTui await(String s) {
    String want = s.replaceAll("[│|]", " ").replaceAll("\\s+", " ");
    long end = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < end) {
      if (flat().contains(want)) {
        return this;
      }
      if (failure.get() != null) {
        throw new AssertionError("the TUI failed", failure.get());
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("screen never showed '" + s + "':\n" + text());
  }

  boolean running() {
    return thread.isAlive();
  }

  /** Waits for the event loop to end (after !exit or Ctrl+C). */
  boolean awaitExit(Duration d) throws InterruptedException {
    thread.join(d.toMillis());
    return !thread.isAlive();
  }

  @Override
  public void close() throws InterruptedException {
    if (thread.isAlive()) {
      terminal.addInput(new KeyStroke(KeyType.EOF));
      thread.join(5000);
    }
  }
}
