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
    } catch (Failure f) {
      return fail(f.exitCode, f.getMessage());
    } catch (InvalidInputException e) {
      return fail(ExitCodes.USAGE, e.getMessage());
    } catch (ServerException e) {
      return switch (e.code()) {
        case AUTH_FAILED, ACCOUNT_DISABLED -> fail(ExitCodes.AUTH_FAILED, e.getMessage());
        case RATE_LIMITED, SERVER_BUSY ->
            fail(
                ExitCodes.RATE_LIMITED,
                e.getMessage()
                    + e.retryAfter()
                        .map(
                            d ->
                                " Try again in " + Math.max(1, (d.toMillis() + 999) / 1000) + " s.")
                        .orElse(""));
        default -> fail(ExitCodes.SERVER_REFUSED, e.getMessage());
      };
    } catch (CertificateChangedException e) {
      return fail(ExitCodes.CERTIFICATE_CHANGED, e.getMessage());
    } catch (UntrustedServerException e) {
      return fail(ExitCodes.UNTRUSTED_SERVER, e.getMessage());
    } catch (UnreachableServerException | ConnectionClosedException | RequestTimeoutException e) {
      return fail(ExitCodes.NETWORK, e.getMessage());
    } catch (ProtocolException e) {
      return fail(ExitCodes.NETWORK, "The server broke the protocol: " + e.getMessage());
    } catch (IOException e) {
      return fail(ExitCodes.LOCAL_IO, "A local file could not be used: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail(ExitCodes.INTERNAL, "Interrupted.");
    } catch (RuntimeException e) {
      logger.error("internal error", e);
      return fail(
          ExitCodes.INTERNAL,
          "Internal error ("
              + e.getClass().getSimpleName()
              + "); details are in "
              + paths().logFile()
              + ".");
    }
  }

  /** The command itself. */
  abstract int run()
      throws Failure,
          InvalidInputException,
          ServerException,
          CertificateChangedException,
          UntrustedServerException,
          IOException,
          InterruptedException;

  private int fail(int code, String message) {
    logger.info("{} failed with exit code {}: {}", getClass().getSimpleName(), code, message);
    ctx().err().println("sotto: " + oneLine(message));
    ctx().err().flush();
    return code;
  }

  private static String oneLine(String s) {
    return s == null ? "failed" : s.replace('\n', ' ').replace('\r', ' ');
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
