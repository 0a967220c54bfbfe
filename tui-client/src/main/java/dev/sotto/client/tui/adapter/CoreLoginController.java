package dev.sotto.client.tui.adapter;

import dev.sotto.client.core.CertificateChangedException;
import dev.sotto.client.core.ClientOptions;
import dev.sotto.client.core.ClientPaths;
import dev.sotto.client.core.ClientSettings;
import dev.sotto.client.core.Fingerprint;
import dev.sotto.client.core.InvalidInputException;
import dev.sotto.client.core.KnownServers;
import dev.sotto.client.core.ServerAddress;
import dev.sotto.client.core.ServerException;
import dev.sotto.client.core.ServerTrust;
import dev.sotto.client.core.Session;
import dev.sotto.client.core.TrustPrompt;
import dev.sotto.client.core.UntrustedServerException;
import dev.sotto.client.tui.model.LoginController;
import dev.sotto.client.tui.model.LoginRequest;
import dev.sotto.client.tui.model.LoginResult;
import dev.sotto.wire.proto.ErrorCode;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start screen's {@link LoginController} on the client core.
 *
 * <p>A login runs in this order, so that the person decides about an unknown server before any
 * password-derived key exists: the server address is checked; a server without a pin in {@code
 * known_servers} is probed (a TLS handshake aborted once its certificate is seen, nothing sent) and
 * {@link LoginResult.UnknownServer} returned; after {@link #trustServer} the UI logs in again. Then
 * the {@link AccountOpener} logs in or registers (the key derivation runs on the worker, not the UI
 * thread). A changed certificate gives {@link LoginResult.ServerKeyChanged}; a server that wants an
 * invite code gives {@link LoginResult.InviteRequired}; every other refusal {@link
 * LoginResult.Rejected} with the core's sentence. A successful login saves the server and user as
 * the defaults ({@code client.properties}) that the next start prefills.
 *
 * <p>The password array is read only while {@link #login}'s future is pending.
 */
public final class CoreLoginController implements LoginController {

  /**
   * The logger, created on first use: initialising Logback costs 300-400 ms here and would delay
   * the first frame (see {@link TuiMain}).
   */
  private static final class Log {
    static final Logger logger = LoggerFactory.getLogger(CoreLoginController.class);
  }

  private final ClientPaths paths;
  private final ClientOptions options;
  private final AccountOpener opener;
  private final Executor worker;
  private volatile ClientSettings remembered;

  /**
   * Creates the controller; reads {@code client.properties} for the prefilled server and user.
   *
   * @param paths where known_servers and client.properties live
   * @param options connection options (the probe's timeouts)
   * @param model the chat model that the login makes live
   * @param worker runs the blocking steps (never the UI thread)
   */
  public CoreLoginController(
      ClientPaths paths, ClientOptions options, CoreChatModel model, Executor worker) {
    this(paths, options, (AccountOpener) model, worker);
  }

  CoreLoginController(
      ClientPaths paths, ClientOptions options, AccountOpener opener, Executor worker) {
    this.paths = Objects.requireNonNull(paths, "paths");
    this.options = Objects.requireNonNull(options, "options");
    this.opener = Objects.requireNonNull(opener, "opener");
    this.worker = Objects.requireNonNull(worker, "worker");
    ClientSettings s;
    try {
      s = ClientSettings.load(paths.settingsFile());
    } catch (IOException e) {
      Log.logger.warn("cannot read {}: {}", paths.settingsFile(), e.toString());
      s = ClientSettings.EMPTY;
    }
    this.remembered = s;
  }

  /**
   * Prefills the form with {@code server} and {@code user} instead of the remembered defaults
   * (options {@code --server} and {@code --user}); call before the TUI starts.
   *
   * @param server the server, or {@code null} to keep the remembered one
   * @param user the username, or {@code null} to keep the remembered one
   * @return this controller
   */
  public CoreLoginController prefill(ServerAddress server, String user) {
    ClientSettings r = remembered;
    remembered =
        new ClientSettings(
            server != null ? Optional.of(server) : r.server(),
            user != null ? Optional.of(user) : r.user());
    return this;
  }

  @Override
  public String lastServer() {
    return remembered.server().map(ServerAddress::toString).orElse("");
  }

  @Override
  public String lastUsername() {
    return remembered.user().orElse("");
  }

  @Override
  public CompletableFuture<LoginResult> login(LoginRequest request) {
    Objects.requireNonNull(request, "request");
    return CompletableFuture.supplyAsync(() -> attempt(request), worker);
  }

  private LoginResult attempt(LoginRequest r) {
    ServerAddress server;
    try {
      server = new ServerAddress(r.host(), r.port());
    } catch (IllegalArgumentException e) {
      return new LoginResult.Rejected("Server: " + e.getMessage() + ".");
    }
    String name;
    try {
      name = Session.normalizeUsername(r.username());
      Session.checkPassword(r.password());
    } catch (InvalidInputException e) {
      return new LoginResult.Rejected(e.getMessage());
    }
    KnownServers known = new KnownServers(paths.knownServersFile());
    try {
      paths.createDirectories();
      if (known.lookup(server).isEmpty()) {
        Optional<Fingerprint> presented = probe(server, known);
        if (presented.isPresent()) {
          return new LoginResult.UnknownServer(presented.get().toString());
        }
      }
      ServerTrust trust = new ServerTrust(known, Optional.empty(), TrustPrompt.REFUSE);
      opener.open(server, trust, name, r.password(), r.register(), r.inviteCode().strip());
      try {
        new ClientSettings(Optional.of(server), Optional.of(name)).save(paths.settingsFile());
      } catch (IOException e) {
        Log.logger.warn("cannot save the default server and user: {}", e.toString());
      }
      Log.logger.info("{} {} on {}", r.register() ? "registered" : "logged in", name, server);
      return new LoginResult.LoggedIn();
    } catch (CertificateChangedException e) {
      return new LoginResult.ServerKeyChanged(
          e.expected().toString(), e.presented().toString(), known.file().toString());
    } catch (UntrustedServerException e) {
      return new LoginResult.UnknownServer(e.presented().toString());
    } catch (InviteNeededException e) {
      return new LoginResult.InviteRequired(e.getMessage());
    } catch (ServerException e) {
      Log.logger.info("{} refused by {}: {}", name, server, e.code());
      return refusal(e, r.register());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new LoginResult.Rejected("Interrupted.");
    } catch (Exception e) {
      // Unreachable server, protocol trouble, local store problems: the core's sentence says it.
      Log.logger.info("login of {} on {} failed: {}", name, server, e.toString());
      String m = e.getMessage();
      return new LoginResult.Rejected(
          m == null || m.isBlank() ? "Login failed (" + e.getClass().getSimpleName() + ")." : m);
    }
  }

  /** The unknown server's fingerprint, or empty when another process pinned it meanwhile. */
  private Optional<Fingerprint> probe(ServerAddress server, KnownServers known) throws IOException {
    try {
      Session.settleTrust(
          server, new ServerTrust(known, Optional.empty(), TrustPrompt.REFUSE), options);
      return Optional.empty();
    } catch (UntrustedServerException e) {
      return Optional.of(e.presented());
    }
  }

  private static LoginResult refusal(ServerException e, boolean register) {
    ErrorCode code = e.code();
    if (code == ErrorCode.INVITE_INVALID) {
      return new LoginResult.InviteRequired(
          "The invite code was not accepted; check it with the server's operator.");
    }
    if (code == ErrorCode.AUTH_FAILED) {
      return new LoginResult.Rejected("Wrong username or password.");
    }
    if (code == ErrorCode.RATE_LIMITED && e.retryAfter().isPresent()) {
      long s = Math.max(1, (e.retryAfter().get().toMillis() + 999) / 1000);
      return new LoginResult.Rejected("Too many attempts; try again in " + s + " s.");
    }
    if (code == ErrorCode.USERNAME_TAKEN && register) {
      return new LoginResult.Rejected("That username is taken; choose another or log in.");
    }
    return new LoginResult.Rejected(e.getMessage());
  }

  @Override
  public CompletableFuture<Void> trustServer(String host, int port, String fingerprint) {
    return CompletableFuture.runAsync(
        () -> {
          try {
            ServerAddress server = new ServerAddress(host, port);
            new KnownServers(paths.knownServersFile()).pin(server, Fingerprint.parse(fingerprint));
          } catch (IOException e) {
            throw new CompletionException(
                new IOException(
                    "Cannot save the server's fingerprint in "
                        + paths.knownServersFile()
                        + ": "
                        + e.getMessage(),
                    e));
          }
        },
        worker);
  }
}
