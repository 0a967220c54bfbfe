package dev.sotto.client.cli;

import dev.sotto.client.core.CertificateChangedException;
import dev.sotto.client.core.ClientPaths;
import dev.sotto.client.core.ClientSettings;
import dev.sotto.client.core.ConnectionClosedException;
import dev.sotto.client.core.InvalidInputException;
import dev.sotto.client.core.KnownServers;
import dev.sotto.client.core.PushListener;
import dev.sotto.client.core.RequestTimeoutException;
import dev.sotto.client.core.ServerAddress;
import dev.sotto.client.core.ServerException;
import dev.sotto.client.core.ServerTrust;
import dev.sotto.client.core.Session;
import dev.sotto.client.core.TrustPrompt;
import dev.sotto.client.core.UnreachableServerException;
import dev.sotto.client.core.UntrustedServerException;
import dev.sotto.client.core.messaging.IdentityChangedException;
import dev.sotto.client.core.messaging.MessengerConfig;
import dev.sotto.client.core.messaging.NotConnectedException;
import dev.sotto.keystore.store.CorruptedStoreException;
import dev.sotto.keystore.store.LocalStoreException;
import dev.sotto.keystore.store.NoLocalStoreException;
import dev.sotto.keystore.store.StoreLockedException;
import dev.sotto.keystore.store.WrongStoreKeyException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/**
 * What the account commands share: finding the server and user, deciding trust, reading passwords,
 * and turning every failure into one line on stderr and an {@link ExitCodes exit code}.
 */
abstract class AccountCommand implements Callable<Integer> {

  private static final Logger logger = LoggerFactory.getLogger(AccountCommand.class);

  private static final java.util.Set<String> YES = java.util.Set.of("y", "yes");

  /** Largest password file read: a password is one line. */
  private static final int MAX_PASSWORD_FILE = 4096;

  @Mixin ConnectOptions connect;

  @ParentCommand ClientMain parent;

  /** A failure that has already decided its exit code and sentence. */
  static final class Failure extends Exception {
    private static final long serialVersionUID = 1L;
    final int exitCode;

    Failure(int exitCode, String message) {
      super(message, null, false, false);
      this.exitCode = exitCode;
    }
  }

  CliContext ctx() {
    return parent.context();
  }

  ClientPaths paths() {
    Path home = connect.home != null ? connect.home : parent.home;
    CliContext c = ctx();
    return ClientPaths.resolve(home, c.env(), c.homeProperty(), c.userHome());
  }

  @Override
  public final Integer call() {
    try {
      return run();
    } catch (Exception e) {
      return failWith(e);
    }
  }

  /** Maps any failure to one line on stderr and its {@link ExitCodes exit code}. */
  int failWith(Throwable t) {
    Throwable e = t;
    while ((e instanceof java.util.concurrent.ExecutionException
            || e instanceof java.util.concurrent.CompletionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof Failure f) {
      return fail(f.exitCode, f.getMessage());
    }
    if (e instanceof InvalidInputException) {
      return fail(ExitCodes.USAGE, e.getMessage());
    }
    if (e instanceof ServerException se) {
      return switch (se.code()) {
        case AUTH_FAILED, ACCOUNT_DISABLED -> fail(ExitCodes.AUTH_FAILED, se.getMessage());
        case RATE_LIMITED, SERVER_BUSY ->
            fail(
                ExitCodes.RATE_LIMITED,
                se.getMessage()
                    + se.retryAfter()
                        .map(
                            d ->
                                " Try again in " + Math.max(1, (d.toMillis() + 999) / 1000) + " s.")
                        .orElse(""));
        default -> fail(ExitCodes.SERVER_REFUSED, se.getMessage());
      };
    }
    if (e instanceof CertificateChangedException) {
      return fail(ExitCodes.CERTIFICATE_CHANGED, e.getMessage());
    }
    if (e instanceof UntrustedServerException) {
      return fail(ExitCodes.UNTRUSTED_SERVER, e.getMessage());
    }
    if (e instanceof IdentityChangedException) {
      return fail(ExitCodes.IDENTITY_CHANGED, e.getMessage());
    }
    if (e instanceof StoreLockedException) {
      return fail(
          ExitCodes.STORE_LOCKED,
          "The local store is in use by another Sotto process (" + e.getMessage() + ").");
    }
    if (e instanceof NoLocalStoreException) {
      return fail(ExitCodes.NO_LOCAL_STORE, e.getMessage());
    }
    if (e instanceof WrongStoreKeyException) {
      return fail(
          ExitCodes.STORE_UNUSABLE,
          "The local store does not open with this password (was it changed on another"
              + " machine?): "
              + e.getMessage());
    }
    if (e instanceof CorruptedStoreException) {
      return fail(ExitCodes.STORE_UNUSABLE, "The local store is damaged: " + e.getMessage());
    }
    if (e instanceof LocalStoreException) {
      return fail(ExitCodes.LOCAL_IO, "The local store could not be used: " + e.getMessage());
    }
    if (e instanceof UnreachableServerException
        || e instanceof ConnectionClosedException
        || e instanceof RequestTimeoutException
        || e instanceof NotConnectedException) {
      return fail(ExitCodes.NETWORK, e.getMessage());
    }
    if (e instanceof java.util.concurrent.TimeoutException) {
      return fail(ExitCodes.NETWORK, "The server did not answer in time.");
    }
    if (e instanceof ProtocolException) {
      return fail(ExitCodes.NETWORK, "The server broke the protocol: " + e.getMessage());
    }
    if (e instanceof IOException) {
      return fail(ExitCodes.LOCAL_IO, "A local file could not be used: " + e.getMessage());
    }
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      return fail(ExitCodes.INTERNAL, "Interrupted.");
    }
    logger.error("internal error", e);
    return fail(
        ExitCodes.INTERNAL,
        "Internal error ("
            + e.getClass().getSimpleName()
            + "); details are in "
            + paths().logFile()
            + ".");
  }

  /** The command itself; every exception is mapped by {@link #failWith}. */
  abstract int run() throws Exception;

  private int fail(int code, String message) {
    logger.info("{} failed with exit code {}: {}", getClass().getSimpleName(), code, message);
    ctx().err().println("sotto: " + oneLine(message));
    ctx().err().flush();
    return code;
  }

  private static String oneLine(String s) {
    return s == null ? "failed" : s.replace('\n', ' ').replace('\r', ' ');
  }

  /** The server and user of this run (flags, else the saved defaults), trust settled. */
  record Target(ServerAddress server, String user) {}

  /**
   * Finds the server and user and settles trust in the server, before any password is asked (a
   * person answers the first-use question first).
   */
  Target target() throws Failure, IOException, InvalidInputException, UntrustedServerException {
    ClientSettings settings = settings();
    ServerAddress server = server(settings);
    String name = Session.normalizeUsername(user(settings));
    settleTrust(server);
    return new Target(server, name);
  }

  /** The account password (terminal without echo, --password-file, or SOTTO_PASSWORD), checked. */
  char[] accountPassword(String prompt, boolean confirm)
      throws Failure, IOException, InvalidInputException {
    char[] password = password(connect.passwordFile, "SOTTO_PASSWORD", prompt, confirm);
    try {
      Session.checkPassword(password);
      return password;
    } catch (InvalidInputException e) {
      Arrays.fill(password, '\0');
      throw e;
    }
  }

  /** Saves server and user as the defaults of later commands. */
  void remember(ServerAddress server, String user) throws IOException {
    new ClientSettings(Optional.of(server), Optional.of(user)).save(paths().settingsFile());
  }

  /** The messenger configuration of this run. */
  MessengerConfig messengerConfig(ServerAddress server) {
    return MessengerConfig.of(server, trust(), ctx().clientOptions(), paths());
  }

  /** Asks a yes/no question on the terminal; false without one. */
  boolean confirm(String question) {
    Terminal t = ctx().terminal();
    if (!t.interactive()) {
      return false;
    }
    String answer = t.readLine(question + " [yes/no]: ");
    return answer != null && YES.contains(answer.strip().toLowerCase(Locale.ROOT));
  }

  /** One line for the user on stdout. */
  void say(String line) {
    ctx().out().println(line);
    ctx().out().flush();
  }

  ClientSettings settings() throws IOException {
    return ClientSettings.load(paths().settingsFile());
  }

  ServerAddress server(ClientSettings settings) throws Failure {
    if (connect.server != null) {
      return connect.server;
    }
    return settings
        .server()
        .orElseThrow(
            () -> new Failure(ExitCodes.USAGE, "No server given: use --server HOST:PORT."));
  }

  String user(ClientSettings settings) throws Failure {
    if (connect.user != null) {
      return connect.user;
    }
    return settings
        .user()
        .orElseThrow(() -> new Failure(ExitCodes.USAGE, "No username given: use --user NAME."));
  }

  private ServerTrust trust() {
    return new ServerTrust(
        new KnownServers(paths().knownServersFile()), Optional.ofNullable(connect.trust), prompt());
  }

  /** Asks the first-use question (if any) before the password is typed; sends nothing. */
  void settleTrust(ServerAddress server) throws IOException, UntrustedServerException {
    Session.settleTrust(server, trust(), ctx().clientOptions());
  }

  Session open(ServerAddress server)
      throws IOException,
          CertificateChangedException,
          UntrustedServerException,
          ServerException,
          InterruptedException {
    return Session.connect(server, trust(), ctx().clientOptions(), PushListener.NONE);
  }

  private TrustPrompt prompt() {
    if (connect.trustOnFirstUse) {
      return TrustPrompt.ACCEPT;
    }
    Terminal t = ctx().terminal();
    if (!t.interactive()) {
      return TrustPrompt.REFUSE;
    }
    return (server, fingerprint) -> {
      t.tell("The server " + server + " is new to this client. Its certificate fingerprint is");
      t.tell("  " + fingerprint);
      t.tell("Compare it with the fingerprint the server printed when it started.");
      String answer = t.readLine("Trust this server and remember it? [yes/no]: ");
      return answer != null && YES.contains(answer.strip().toLowerCase(Locale.ROOT));
    };
  }

  /**
   * The password: from {@code fileOption}, else the environment variable {@code envName}, else the
   * terminal (asked twice when {@code confirm}).
   */
  char[] password(Path fileOption, String envName, String prompt, boolean confirm)
      throws Failure, IOException {
    if (fileOption != null) {
      return readPasswordFile(fileOption);
    }
    String fromEnv = ctx().env().get(envName);
    if (fromEnv != null && !fromEnv.isEmpty()) {
      return fromEnv.toCharArray();
    }
    Terminal t = ctx().terminal();
    if (!t.interactive()) {
      throw new Failure(
          ExitCodes.USAGE,
          "No terminal to ask for the password: use --password-file FILE or set " + envName + ".");
    }
    char[] first = t.readPassword(prompt + ": ");
    if (first == null) {
      throw new Failure(ExitCodes.USAGE, "No password given.");
    }
    if (confirm) {
      char[] second = t.readPassword(prompt + " (again): ");
      boolean same = second != null && Arrays.equals(first, second);
      if (second != null) {
        Arrays.fill(second, '\0');
      }
      if (!same) {
        Arrays.fill(first, '\0');
        throw new Failure(ExitCodes.USAGE, "The two passwords do not match.");
      }
    }
    return first;
  }

  static char[] readPasswordFile(Path file) throws IOException, Failure {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_PASSWORD_FILE + 1);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new Failure(ExitCodes.LOCAL_IO, "The password file " + file + " does not exist.");
    } catch (IOException e) {
      throw new Failure(
          ExitCodes.LOCAL_IO, "Cannot read the password file " + file + ": " + e.getMessage());
    }
    try {
      if (bytes.length > MAX_PASSWORD_FILE) {
        throw new Failure(
            ExitCodes.USAGE,
            "The password file " + file + " is larger than " + MAX_PASSWORD_FILE + " bytes.");
      }
      int end = 0;
      while (end < bytes.length && bytes[end] != '\n' && bytes[end] != '\r') {
        end++;
      }
      CharBuffer chars;
      try {
        chars =
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes, 0, end));
      } catch (CharacterCodingException e) {
        throw new Failure(ExitCodes.USAGE, "The password file " + file + " is not UTF-8 text.");
      }
      char[] out = new char[chars.remaining()];
      chars.get(out);
      if (chars.hasArray()) {
        Arrays.fill(chars.array(), '\0');
      }
      return out;
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }
}
