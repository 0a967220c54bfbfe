package dev.sotto.server;

import dev.sotto.server.account.RegistrationPolicy;
import dev.sotto.server.admin.InviteCommand;
import dev.sotto.server.admin.UserCommand;
import dev.sotto.server.data.DataDirectoryLockedException;
import dev.sotto.server.throttle.Throttles;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sotto-server}: runs the server, or with a subcommand administers its data directory.
 *
 * <p>On start it prints two machine-readable lines on standard output: {@code listening on
 * HOST:PORT} (the bound port, also when {@code --listen} asked for port 0) and {@code fingerprint
 * sha256-spki HEX} (SHA-256 of the certificate's SubjectPublicKeyInfo, 64 lower-case hex digits as
 * PROTOCOL.md writes it). SIGTERM and SIGINT shut it down cleanly and it exits 0.
 *
 * <p>Exit codes: 0 success; 1 failure (data directory in use, unknown user, start-up error); 2 bad
 * usage.
 */
@Command(
    name = "sotto-server",
    mixinStandardHelpOptions = true,
    versionProvider = ServerMain.Version.class,
    sortOptions = false,
    description = "The Sotto chat server: TLS 1.3 on a LAN, end-to-end encrypted messages.",
    subcommands = {UserCommand.class, InviteCommand.class})
public final class ServerMain implements Callable<Integer> {

  private static final Logger logger = LoggerFactory.getLogger(ServerMain.class);

  @Spec CommandSpec spec;

  @Option(
      names = "--listen",
      paramLabel = "HOST:PORT",
      defaultValue = "127.0.0.1:7443",
      description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0:7443 for a LAN).")
  String listen;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description =
          "Data directory (default: $XDG_DATA_HOME/sotto-server or ~/.local/share/sotto-server).")
  Path data;

  @Option(
      names = "--registration",
      paramLabel = "open|invite|closed",
      defaultValue = "open",
      description = "Who may create accounts (default: ${DEFAULT-VALUE}).")
  RegistrationPolicy registration;

  @Option(
      names = "--master-key",
      paramLabel = "FILE",
      description =
          "Master key file (32 bytes or 64 hex digits) for sealing mailboxes (default:"
              + " $CREDENTIALS_DIRECTORY/master-key under systemd, else DIR/master.key, made on"
              + " first start).")
  Path masterKey;

  @Option(
      names = "--send-burst-bytes",
      paramLabel = "BYTES",
      description =
          "Per account: SendMessage envelope bytes allowed at once, at least 1048576 (default:"
              + " ${DEFAULT-VALUE}).")
  long sendBurstBytes = Throttles.Config.DEFAULT_SEND_BURST_BYTES;

  @Option(
      names = "--send-bytes-per-second",
      paramLabel = "BYTES",
      description =
          "Per account: SendMessage envelope bytes per second after the burst (default:"
              + " ${DEFAULT-VALUE}); beyond it the answer is RATE_LIMITED.")
  long sendBytesPerSecond = Throttles.Config.DEFAULT_SEND_BYTES_PER_SECOND;

  @Option(
      names = "--send-burst-messages",
      paramLabel = "N",
      description =
          "Per account: SendMessage requests allowed at once (default: ${DEFAULT-VALUE}).")
  int sendBurstMessages = Throttles.Config.DEFAULT_SEND_BURST_MESSAGES;

  @Option(
      names = "--send-messages-per-second",
      paramLabel = "N",
      description =
          "Per account: SendMessage requests per second after the burst (default:"
              + " ${DEFAULT-VALUE}).")
  int sendMessagesPerSecond = Throttles.Config.DEFAULT_SEND_MESSAGES_PER_SECOND;

  /** Restarts after store failures (see {@link ServerSupervisor}) allowed within the window. */
  static final int MAX_RESTARTS = 3;

  static final Duration RESTART_WINDOW = Duration.ofMinutes(10);
  static final Duration RESTART_DELAY = Duration.ofSeconds(1);

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /**
   * The configured command line (tests run it in-process). Enum values are taken in any case, and
   * an option's value is never read as a subcommand: {@code --registration invite} means the mode,
   * not the {@code invite} subcommand.
   */
  public static CommandLine commandLine() {
    return new CommandLine(new ServerMain())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setAllowSubcommandsAsOptionParameters(true);
  }

  /** The data directory from {@code --data} or the XDG default. */
  public static Path dataDirectory(Path explicit) {
    if (explicit != null) {
      return explicit;
    }
    String xdg = System.getenv("XDG_DATA_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(
                System.getenv().getOrDefault("HOME", System.getProperty("user.home")),
                ".local",
                "share");
    return base.resolve("sotto-server");
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    HostPort hp;
    try {
      hp = HostPort.parse(listen);
    } catch (IllegalArgumentException e) {
      err.println("sotto-server: " + e.getMessage());
      return 2;
    }
    ServerConfig config = ServerConfig.defaults(dataDirectory(data));
    try {
      config =
          config
              .withListen(hp.host(), hp.port())
              .withRegistration(registration)
              .withMasterKeyFile(masterKey)
              .withThrottles(
                  config
                      .throttles()
                      .withSend(
                          Throttles.Config.sendMessagesLimit(
                              sendBurstMessages, sendMessagesPerSecond),
                          Throttles.Config.sendBytesLimit(sendBurstBytes, sendBytesPerSecond)));
    } catch (IllegalArgumentException e) {
      err.println("sotto-server: send limits: " + e.getMessage());
      return 2;
    }
    SottoServer server;
    try {
      server = SottoServer.start(config);
    } catch (DataDirectoryLockedException | BindException e) {
      // The sentence says it all (which directory, which address): no stack trace.
      logger.debug("event=start outcome=failed detail=\"{}\"", e.getMessage());
      err.println("sotto-server: " + e.getMessage());
      return 1;
    } catch (IOException | RuntimeException e) {
      logger.error("event=start outcome=failed", e);
      err.println("sotto-server: cannot start: " + e.getMessage());
      return 1;
    }
    ServerConfig started = config;
    ServerSupervisor supervisor =
        new ServerSupervisor(
            () -> SottoServer.start(started),
            MAX_RESTARTS,
            RESTART_WINDOW,
            RESTART_DELAY,
            System::nanoTime);
    supervisor.supervise(server);
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  supervisor.stop();
                  exit.complete(0);
                },
                "sotto-shutdown"));
    exitZeroOnTerm();
    supervisor.gaveUp().thenRun(() -> exit.complete(1));
    out.println("listening on " + HostPort.format(config.host(), server.port()));
    out.println("fingerprint " + server.certificate().labelledFingerprint());
    out.flush();
    try {
      return exit.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    } catch (ExecutionException e) {
      return 1;
    }
  }

  /**
   * Makes SIGTERM (what systemd and {@code kill} send) end the JVM through {@code System.exit(0)},
   * which runs the shutdown hook: without it the JVM runs the hooks but exits with 143.
   */
  @SuppressWarnings("removal")
  private static void exitZeroOnTerm() {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("TERM"), sig -> System.exit(0));
    } catch (RuntimeException | LinkageError e) {
      logger.debug("event=signal-handler outcome=unavailable detail=\"{}\"", e.toString());
    }
  }

  /** A host and a port as given to {@code --listen}. */
  record HostPort(String host, int port) {
    static HostPort parse(String text) {
      int colon = text.lastIndexOf(':');
      if (colon <= 0 || colon == text.length() - 1) {
        throw new IllegalArgumentException(
            "--listen expects HOST:PORT (e.g. 0.0.0.0:7443), got '" + text + "'");
      }
      String host = text.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      int port;
      try {
        port = Integer.parseInt(text.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "--listen: '" + text.substring(colon + 1) + "' is not a port");
      }
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("--listen: port must be 0..65535, got " + port);
      }
      return new HostPort(host, port);
    }

    static String format(String host, int port) {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /** Reads the version the build wrote into {@code version.properties}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = ServerMain.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {"sotto-server " + p.getProperty("version", "unknown")};
    }
  }
}
