package dev.sotto.client.tui;

import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.Terminal;
import com.googlecode.lanterna.terminal.ansi.StreamBasedTerminal;
import dev.sotto.client.tui.model.ChatModel;
import dev.sotto.client.tui.model.LoginController;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of the full-screen client, for the CLI to call once it has a terminal, the core's
 * {@link ChatModel} and {@link LoginController} adapters and a {@link TuiConfig}.
 *
 * <p>Nothing is printed to stdout or stderr while the screen is up: failures go to the log file
 * (configure Logback to a file appender) and to the status/message area.
 */
public final class TuiApp {

  /**
   * The logger, created on first use: initialising the logging backend (Logback) costs 300-400 ms
   * on a loaded machine, which would otherwise delay the first frame (issue 5 asks for under 500
   * ms), and the TUI logs only on failures.
   */
  private static final class Log {
    static final Logger logger = LoggerFactory.getLogger(TuiApp.class);
  }

  private TuiApp() {}

  /**
   * Runs the TUI on {@code terminal} until the user quits ({@code !exit}, Ctrl+C, end of input),
   * then restores the terminal (leaves the alternate screen, turns bracketed paste off). Blocks the
   * calling thread, which becomes the UI thread.
   *
   * @throws IOException when the terminal fails
   */
  public static void run(
      Terminal terminal, ChatModel model, LoginController login, TuiConfig config)
      throws IOException {
    TerminalScreen screen = new TerminalScreen(terminal);
    boolean paste = false;
    if (terminal instanceof StreamBasedTerminal sbt) {
      sbt.getInputDecoder().addProfile(Keys::pastePatterns);
      paste = true;
    }
    OutputGuard guard = OutputGuard.install();
    screen.startScreen();
    try {
      if (paste) {
        terminal.putString("\u001b[?2004h");
        terminal.flush();
      }
      Tui tui = new Tui(screen, model, login, config);
      tui.loop();
    } catch (RuntimeException e) {
      Log.logger.error("TUI failed", e);
      throw new IOException("the terminal UI failed: " + e.getMessage(), e);
    } finally {
      try {
        if (paste) {
          terminal.putString("\u001b[?2004l");
          terminal.flush();
        }
      } finally {
        try {
          screen.stopScreen();
        } finally {
          guard.restore();
        }
      }
    }
  }
}
