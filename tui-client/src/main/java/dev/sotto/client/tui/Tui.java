package dev.sotto.client.tui;

import com.googlecode.lanterna.TerminalPosition;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.screen.Screen;
import com.googlecode.lanterna.screen.TerminalScreen;
import dev.sotto.client.tui.model.ChatModel;
import dev.sotto.client.tui.model.ConnectionState;
import dev.sotto.client.tui.model.LoginController;
import dev.sotto.client.tui.model.ModelChange;
import dev.sotto.client.tui.model.Presence;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running TUI on one {@link Screen}: switches between the login and main views, owns the UI
 * thread's task queue, draws frames and handles time (idle AWAY, reconnect countdown). Tests drive
 * it step by step ({@link #handle}, {@link #runPending}, {@link #tick}, {@link #draw}); {@link
 * #loop} is the real event loop.
 */
final class Tui implements Ui, ChatModel.Listener {

  /**
   * The logger, created on first use: initialising the logging backend (Logback) costs 300-400 ms
   * on a loaded machine, which would otherwise delay the first frame (issue 5 asks for under 500
   * ms), and the TUI logs only on failures.
   */
  private static final class Log {
    static final Logger logger = LoggerFactory.getLogger(Tui.class);
  }

  private final TerminalScreen screen;
  private final ChatModel model;
  private final TuiConfig config;
  private final Painter painter;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final LoginView loginView;
  private MainView mainView;
  private boolean inMain;
  private volatile boolean quit;
  private boolean fullRedraw = true;
  private Instant lastInput;
  private boolean autoAway;
  private int bells;

  Tui(TerminalScreen screen, ChatModel model, LoginController login, TuiConfig config) {
    this.screen = screen;
    this.model = model;
    this.config = config;
    this.painter = new Painter(screen, config.color());
    this.loginView = new LoginView(this, login);
    this.mainView = new MainView(this, model);
    this.lastInput = config.clock().instant();
  }

  LoginView loginView() {
    return loginView;
  }

  MainView mainView() {
    return mainView;
  }

  boolean inMain() {
    return inMain;
  }

  boolean isQuit() {
    return quit;
  }

  int bells() {
    return bells;
  }

  @Override
  public TuiConfig config() {
    return config;
  }

  @Override
  public Instant now() {
    return config.clock().instant();
  }

  @Override
  public void post(Runnable task) {
    tasks.add(task);
  }

  @Override
  public void onChange(ModelChange change) {
    post(
        () -> {
          if (inMain) {
            mainView.onModelChange(change);
          }
        });
  }

  @Override
  public void showMain() {
    if (!inMain) {
      inMain = true;
      model.addListener(this);
      mainView.enter();
    }
  }

  @Override
  public void showLogin() {
    if (inMain) {
      model.removeListener(this);
    }
    inMain = false;
    mainView = new MainView(this, model);
    loginView.reset("Logged out.");
  }

  @Override
  public void quit() {
    quit = true;
  }

  @Override
  public void bell() {
    bells++;
    try {
      screen.getTerminal().bell();
    } catch (IOException | RuntimeException e) {
      Log.logger.debug("bell failed", e);
    }
  }

  @Override
  public void fullRedraw() {
    fullRedraw = true;
  }

  /** Handles one key stroke (UI thread). */
  void handle(KeyStroke k) {
    if (k.getKeyType() == KeyType.EOF) {
      quit = true;
      return;
    }
    lastInput = now();
    if (autoAway) {
      autoAway = false;
      if (inMain && model.presence() == Presence.AWAY) {
        model.setPresence(Presence.ONLINE);
      }
    }
    if (k.getKeyType() == KeyType.Character
        && k.isCtrlDown()
        && !k.isAltDown()
        && Character.toLowerCase(k.getCharacter()) == 'c'
        && !inMain) {
      quit = true;
      return;
    }
    try {
      if (inMain) {
        mainView.handle(k);
      } else {
        loginView.handle(k);
      }
    } catch (RuntimeException e) {
      // A bug must not take the terminal down with it: log to the file, keep running.
      Log.logger.error("key handling failed for {}", k.getKeyType(), e);
      if (inMain) {
        mainView.notice("Internal error (" + e.getClass().getSimpleName() + "); see the log file.");
      }
    }
  }

  /** Runs the tasks posted so far; returns whether there were any. */
  boolean runPending() {
    boolean any = false;
    Runnable r;
    while ((r = tasks.poll()) != null) {
      any = true;
      try {
        r.run();
      } catch (RuntimeException e) {
        Log.logger.error("UI task failed", e);
        if (inMain) {
          mainView.notice(
              "Internal error (" + e.getClass().getSimpleName() + "); see the log file.");
        }
      }
    }
    return any;
  }

  /** Time-driven work: AWAY after the idle time. */
  void tick() {
    Duration idle = config.idleAway();
    if (inMain
        && !idle.isZero()
        && !autoAway
        && Duration.between(lastInput, now()).compareTo(idle) >= 0
        && model.presence() == Presence.ONLINE) {
      autoAway = true;
      model.setPresence(Presence.AWAY);
    }
  }

  /** Draws a frame and shows it. */
  void draw() throws IOException {
    screen.doResizeIfNecessary();
    TerminalPosition cursor = inMain ? mainView.draw(painter) : loginView.draw(painter);
    screen.setCursorPosition(cursor);
    if (fullRedraw) {
      fullRedraw = false;
      screen.refresh(Screen.RefreshType.COMPLETE);
    } else {
      screen.refresh(Screen.RefreshType.DELTA);
    }
  }

  /** The event loop: until quit, read keys, run tasks, redraw when something happened. */
  void loop() throws IOException {
    draw();
    long lastTick = System.nanoTime();
    while (!quit) {
      boolean dirty = false;
      KeyStroke k;
      int n = 0;
      while (n < 256 && (k = screen.pollInput()) != null) {
        handle(k);
        dirty = true;
        n++;
      }
      dirty |= runPending();
      if (screen.doResizeIfNecessary() != null) {
        dirty = true;
        fullRedraw = true;
      }
      long t = System.nanoTime();
      if (t - lastTick > 250_000_000L) {
        lastTick = t;
        tick();
        dirty |= runPending();
        if (inMain && model.connection() instanceof ConnectionState.Reconnecting) {
          dirty = true; // the countdown moves
        }
      }
      if (quit) {
        break;
      }
      if (dirty) {
        draw();
      } else {
        try {
          Thread.sleep(15);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          quit = true;
        }
      }
    }
  }
}
