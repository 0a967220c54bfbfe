package dev.sotto.client.tui.adapter;

import com.googlecode.lanterna.terminal.ansi.UnixLikeTerminal.CtrlCBehaviour;
import com.googlecode.lanterna.terminal.ansi.UnixTerminal;
import dev.sotto.client.core.ClientOptions;
import dev.sotto.client.core.ClientPaths;
import dev.sotto.client.core.ServerAddress;
import dev.sotto.client.tui.KeyConfigException;
import dev.sotto.client.tui.TuiApp;
import dev.sotto.client.tui.TuiConfig;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * {@code sotto} without a subcommand (or {@code sotto tui}): the full-screen client on this
 * process's terminal. Options: {@code --home DIR} (keep config and data under DIR, as for the other
 * commands), {@code --server HOST:PORT} and {@code --user NAME} (fill in the start screen instead
 * of the last login's) and {@code --help}.
 *
 * <p>Start-up is kept short (the first frame within 500 ms, see {@code bench/results/
 * tui-startup.md}): nothing logs before the screen is up, because initialising Logback costs
 * 300-400 ms here; the adapter classes create their loggers on first use.
 *
 * <p>Exit codes: 0 after {@code !exit} or Ctrl+C, 1 for a usage or {@code keys.conf} error (printed
 * before the screen starts), 3 when there is no terminal or it fails.
 */
public final class TuiMain {

  private TuiMain() {}

  /** Runs the full-screen client and exits the JVM with its exit code. */
  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.err));
  }

  static int run(String[] args, Map<String, String> env, PrintStream err) {
    Path home = null;
    ServerAddress server = null;
    String user = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("tui") && i == 0) {
        continue;
      } else if (a.equals("--home") && i + 1 < args.length) {
        home = Path.of(args[++i]);
      } else if (a.startsWith("--home=")) {
        home = Path.of(a.substring("--home=".length()));
      } else if ((a.equals("--server") || a.equals("--user")) && i + 1 < args.length) {
        String v = args[++i];
        if (a.equals("--user")) {
          user = v.strip();
        } else {
          try {
            server = ServerAddress.parse(v);
          } catch (IllegalArgumentException e) {
            err.println("sotto: --server: " + e.getMessage());
            return 1;
          }
        }
      } else if (a.equals("--help") || a.equals("-h")) {
        err.println(
            "Usage: sotto [tui] [--home DIR] [--server HOST:PORT] [--user NAME]\n"
                + "Opens the full-screen client: log in or register, then chat.\n"
                + "--server and --user fill in the start screen (default: the last login).\n"
                + "Keys, commands and keys.conf: tui-client/TUI.md; other commands: sotto --help.");
        return 0;
      } else {
        err.println("sotto: unknown option '" + a + "' for the full-screen client (see --help)");
        return 1;
      }
    }
    ClientPaths paths;
    try {
      paths =
          ClientPaths.resolve(
              home, env, System.getProperty(ClientPaths.HOME_PROPERTY), userHome(env));
      paths.createDirectories();
      prepareLogFile(paths);
    } catch (IOException | RuntimeException e) {
      err.println("sotto: cannot create the client's directories: " + e.getMessage());
      return 8;
    }
    Map<String, String> tuiEnv = new HashMap<>(env);
    // keys.conf lives beside known_servers, also under --home.
    tuiEnv.put("XDG_CONFIG_HOME", paths.configDir().getParent().toString());
    TuiConfig config;
    try {
      config = TuiConfig.fromEnvironment(tuiEnv, Charset.defaultCharset());
    } catch (KeyConfigException e) {
      err.println("sotto: " + e.getMessage());
      return 1;
    }
    if (System.console() == null) {
      err.println(
          "sotto: the full-screen client needs a terminal; for scripts use the commands in"
              + " 'sotto --help'");
      return 3;
    }
    ExecutorService worker =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "sotto-worker");
              t.setDaemon(true);
              return t;
            });
    ClientOptions options = ClientOptions.defaults().withClientName("sotto-tui/0.1.0");
    CoreChatModel model = new CoreChatModel(paths, options, worker);
    CoreLoginController login =
        new CoreLoginController(paths, options, model, worker).prefill(server, user);
    // A closed terminal (SIGHUP) or SIGTERM ends the JVM without passing the finally below: log
    // out and flush the acks there too. close() is idempotent.
    Runtime.getRuntime().addShutdownHook(new Thread(model::close, "sotto-close"));
    int code = 0;
    try {
      UnixTerminal terminal =
          new UnixTerminal(
              new FileInputStream(FileDescriptor.in),
              new FileOutputStream(FileDescriptor.out),
              StandardCharsets.UTF_8,
              CtrlCBehaviour.TRAP);
      TuiApp.run(terminal, model, login, config);
    } catch (IOException e) {
      err.println("sotto: the terminal failed: " + e.getMessage());
      code = 3;
    } finally {
      model.close();
      worker.shutdown();
      try {
        worker.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return code;
  }

  private static String userHome(Map<String, String> env) {
    return env.getOrDefault("HOME", System.getProperty("user.home"));
  }

  /** Points Logback's file appender at {@code sotto.log} (owner-only) before anything logs. */
  static void prepareLogFile(ClientPaths paths) throws IOException {
    if (System.getProperty("sotto.log.file") != null) {
      return;
    }
    Path log = paths.logFile();
    if (!Files.exists(log)) {
      Files.createFile(
          log, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    System.setProperty("sotto.log.file", log.toString());
  }
}
