package dev.sotto.client.core;

import com.google.protobuf.ByteString;
import dev.sotto.keystore.account.AccountKeys;
import dev.sotto.keystore.account.KdfParameters;
import dev.sotto.wire.Usernames;
import dev.sotto.wire.Validation;
import dev.sotto.wire.WireException;
import dev.sotto.wire.WireLimits;
import dev.sotto.wire.proto.ChangePassword;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.Hello;
import dev.sotto.wire.proto.KdfParams;
import dev.sotto.wire.proto.KdfParamsRequest;
import dev.sotto.wire.proto.Limits;
import dev.sotto.wire.proto.Login;
import dev.sotto.wire.proto.LoginOk;
import dev.sotto.wire.proto.Logout;
import dev.sotto.wire.proto.Register;
import dev.sotto.wire.proto.RegistrationMode;
import dev.sotto.wire.proto.Welcome;
import java.io.IOException;
import java.net.ProtocolException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's session with one server: the pinned TLS connection, the handshake, and the account
 * operations (register, login, change password). Later features (prekeys, messages) send their
 * requests through {@link #connection()} once logged in.
 *
 * <p>Every method blocks (key derivation takes about 0.3 s at the default cost, and each request a
 * round trip): call them off any UI thread. The password never leaves this class: only the auth key
 * derived from it is sent.
 */
public final class Session implements AutoCloseable {

  private static final Logger logger = LoggerFactory.getLogger(Session.class);

  /** The device id until several devices per account exist. */
  public static final int DEVICE_ID = 1;

  private final Connection connection;
  private final ClientOptions options;
  private final byte[] serverId;
  private final RegistrationMode registration;
  private volatile String username;
  private volatile KdfParameters accountCost;

  private Session(
      Connection connection,
      ClientOptions options,
      byte[] serverId,
      RegistrationMode registration) {
    this.connection = connection;
    this.options = options;
    this.serverId = serverId;
    this.registration = registration;
  }

  /**
   * Connects to {@code server} after deciding trust as {@link ServerTrust} describes, then says
   * Hello and checks the Welcome.
   *
   * @throws UnreachableServerException if no TLS connection can be made
   * @throws CertificateChangedException if the server's key is not the pinned (or given) one
   * @throws UntrustedServerException if the server is new and its key was not accepted
   * @throws ServerException if the server refused the Hello (e.g. {@code UNSUPPORTED_VERSION})
   * @throws IOException if the pin cannot be saved, the server breaks the protocol ({@link
   *     ProtocolException}) or the connection drops
   */
  public static Session connect(
      ServerAddress server, ServerTrust trust, ClientOptions options, PushListener listener)
      throws IOException,
          CertificateChangedException,
          UntrustedServerException,
          ServerException,
          InterruptedException {
    KnownServers known = trust.knownServers();
    Optional<Fingerprint> pinned = known.lookup(server);
    Fingerprint expected;
    boolean pinAfterHandshake;
    if (trust.explicit().isPresent()) {
      expected = trust.explicit().get();
      pinAfterHandshake = pinned.isEmpty() || !pinned.get().equals(expected);
    } else if (pinned.isPresent()) {
      expected = pinned.get();
      pinAfterHandshake = false;
    } else {
      expected = askFirstUse(server, trust, options);
      pinAfterHandshake = true;
    }
    Connection connection;
    try {
      connection = Connection.open(server, expected, options, listener);
    } catch (Connection.FingerprintMismatchException e) {
      logger.warn("{} presented {} instead of {}", server, e.presented(), expected);
      if (trust.explicit().isPresent()) {
        throw new CertificateChangedException(server, expected, e.presented(), null, 0);
      }
      throw new CertificateChangedException(
          server, expected, e.presented(), known.file(), known.lineOf(server));
    }
    try {
      if (pinAfterHandshake) {
        known.pin(server, expected);
      }
      return handshake(connection, options);
    } catch (IOException | ServerException | InterruptedException | RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  /**
   * Settles trust in {@code server} before anything else happens, so that a person answers the
   * first-use question before typing a password: a server that is pinned, or given with {@code
   * --trust}, needs nothing; an unknown one is probed (a handshake aborted once the certificate is
   * seen), the prompt is asked, and a yes pins it. {@link #connect} then finds the pin. Nothing is
   * sent to the server.
   *
   * @return the fingerprint {@link #connect} will require
   * @throws UntrustedServerException if the prompt says no
   * @throws UnreachableServerException if the probe cannot reach the server
   * @throws IOException if known_servers cannot be read or written
   */
  public static Fingerprint settleTrust(
      ServerAddress server, ServerTrust trust, ClientOptions options)
      throws IOException, UntrustedServerException {
    if (trust.explicit().isPresent()) {
      return trust.explicit().get();
    }
    Optional<Fingerprint> pinned = trust.knownServers().lookup(server);
    if (pinned.isPresent()) {
      return pinned.get();
    }
    Fingerprint accepted = askFirstUse(server, trust, options);
    trust.knownServers().pin(server, accepted);
    return accepted;
  }

  private static Fingerprint askFirstUse(
      ServerAddress server, ServerTrust trust, ClientOptions options)
      throws UnreachableServerException, UntrustedServerException {
    Fingerprint presented = probe(server, options);
    if (!trust.prompt().trustOnFirstUse(server, presented)) {
      logger.info("first use of {} ({}) not trusted", server, presented);
      throw new UntrustedServerException(server, presented);
    }
    return presented;
  }

  /** A handshake that is aborted as soon as the server shows its certificate. */
  private static Fingerprint probe(ServerAddress server, ClientOptions options)
      throws UnreachableServerException {
    try {
      Connection c = Connection.open(server, null, options, PushListener.NONE);
      c.close();
      throw new IllegalStateException("a probing handshake must not succeed");
    } catch (Connection.FingerprintMismatchException e) {
      return e.presented();
    }
  }

  private static Session handshake(Connection connection, ClientOptions options)
      throws IOException, ServerException, InterruptedException {
    Frame response =
        connection.call(
            Frame.newBuilder()
                .setHello(
                    Hello.newBuilder()
                        .setProtocolVersion(WireLimits.PROTOCOL_VERSION)
                        .setClient(options.clientName())),
            Frame.BodyCase.WELCOME);
    Welcome welcome = response.getWelcome();
    if (welcome.getProtocolVersion() != WireLimits.PROTOCOL_VERSION) {
      throw new ProtocolException(
          "The server speaks protocol version "
              + Integer.toUnsignedString(welcome.getProtocolVersion())
              + "; this client speaks "
              + WireLimits.PROTOCOL_VERSION
              + ".");
    }
    try {
      Validation.serverId(welcome.getServerId());
    } catch (WireException e) {
      throw new ProtocolException("The server's Welcome is malformed: " + e.getMessage());
    }
    if (welcome.hasLimits()) {
      applyHeartbeat(connection, options, welcome.getLimits());
    }
    logger.info(
        "handshake with {} done, registration {}", connection.server(), welcome.getRegistration());
    return new Session(
        connection, options, welcome.getServerId().toByteArray(), welcome.getRegistration());
  }

  private static void applyHeartbeat(Connection connection, ClientOptions options, Limits limits) {
    long announced = Integer.toUnsignedLong(limits.getHeartbeatIntervalMs());
    if (announced > 0 && announced < options.heartbeatInterval().toMillis()) {
      connection.scheduleHeartbeat(Duration.ofMillis(announced));
    }
  }

  /** The server's 16-byte id (a copy). */
  public byte[] serverId() {
    return serverId.clone();
  }

  /** Whether the server takes new accounts, by invite, or not at all. */
  public RegistrationMode registration() {
    return registration;
  }

  /** The underlying connection, for the requests of later features. */
  public Connection connection() {
    return connection;
  }

  /** The canonical username once logged in. */
  public Optional<String> username() {
    return Optional.ofNullable(username);
  }

  /**
   * Creates an account and logs in to it. The keys are derived with {@link ClientOptions#kdfCost()}
   * (64 MiB, 3 passes by default).
   *
   * @param inviteCode the invite code, or {@code null} / blank when the server is open
   * @throws InvalidInputException for a malformed username, a short password, or a missing invite
   *     code on an invite-only server (checked before any key derivation or request)
   * @throws ServerException if the server refuses (e.g. {@code USERNAME_TAKEN}, {@code
   *     INVITE_INVALID}, {@code REGISTRATION_NOT_ALLOWED}, {@code RATE_LIMITED})
   */
  public LoggedIn register(String username, char[] password, String inviteCode)
      throws InvalidInputException, ServerException, IOException, InterruptedException {
    String name = normalizeUsername(username);
    checkPassword(password);
    if (registration == RegistrationMode.REGISTRATION_CLOSED) {
      throw new ServerException(
          dev.sotto.wire.proto.ErrorCode.REGISTRATION_NOT_ALLOWED,
          "The server " + connection.server() + " does not accept new accounts.",
          null);
    }
    String invite = inviteCode == null ? "" : inviteCode.strip();
    if (registration == RegistrationMode.REGISTRATION_INVITE && invite.isEmpty()) {
      throw new InvalidInputException(
          "The server "
              + connection.server()
              + " takes new accounts by invite only; give the code.");
    }
    KdfParameters cost = options.kdfCost();
    AccountKeys keys = AccountKeys.derive(password, serverId, name, cost);
    Frame response;
    try {
      response =
          connection.call(
              Frame.newBuilder()
                  .setRegister(
                      Register.newBuilder()
                          .setUsername(name)
                          .setKdfParams(toProto(cost))
                          .setAuthKey(ByteString.copyFrom(keys.authKey()))
                          .setInviteCode(invite)),
              Frame.BodyCase.LOGIN_OK,
              Frame.BodyCase.OK);
      if (response.getBodyCase() == Frame.BodyCase.OK) {
        // A server that answers Register with Ok leaves the connection logged out: log in.
        response = sendLogin(name, keys);
      }
    } catch (ServerException | IOException | InterruptedException | RuntimeException e) {
      keys.destroy();
      throw e;
    }
    logger.info("registered {} on {}", name, connection.server());
    return loggedIn(response.getLoginOk(), name, cost, keys, true);
  }

  /**
   * Logs in: asks the server for the account's Argon2id cost, derives the keys, sends the auth key.
   *
   * @throws InvalidInputException for a malformed username or a short password
   * @throws ServerException if the server refuses ({@code AUTH_FAILED} for an unknown user or a
   *     wrong password alike, {@code ACCOUNT_DISABLED}, {@code RATE_LIMITED})
   * @throws ProtocolException if the server asks for a cost outside the protocol's bounds or below
   *     {@link ClientOptions#kdfFloor()}
   */
  public LoggedIn login(String username, char[] password)
      throws InvalidInputException, ServerException, IOException, InterruptedException {
    String name = normalizeUsername(username);
    checkPassword(password);
    Frame kdf =
        connection.call(
            Frame.newBuilder().setKdfParamsRequest(KdfParamsRequest.newBuilder().setUsername(name)),
            Frame.BodyCase.KDF_PARAMS_RESPONSE);
    KdfParameters cost = acceptedCost(kdf.getKdfParamsResponse().getParams());
    AccountKeys keys = AccountKeys.derive(password, serverId, name, cost);
    Frame response;
    try {
      response = sendLogin(name, keys);
    } catch (ServerException | IOException | InterruptedException | RuntimeException e) {
      keys.destroy();
      throw e;
    }
    logger.info("logged in as {} on {}", name, connection.server());
    return loggedIn(response.getLoginOk(), name, cost, keys, false);
  }

  /**
   * Changes the password of the logged-in account. The old password authorises the change; the new
   * keys use the stronger of the account's cost and {@link ClientOptions#kdfCost()}, so costs only
   * rise. The store key changes too: the caller re-wraps its local store's data key under the
   * returned keys' store key.
   *
   * @return the new keys; the caller owns them
   * @throws InvalidInputException if either password is too short or they are equal
   * @throws ServerException if the server refuses (e.g. {@code AUTH_FAILED} for a wrong old
   *     password)
   * @throws IllegalStateException if not logged in
   */
  public AccountKeys changePassword(char[] oldPassword, char[] newPassword)
      throws InvalidInputException, ServerException, IOException, InterruptedException {
    String name = username;
    KdfParameters current = accountCost;
    if (name == null || current == null) {
      throw new IllegalStateException("log in before changing the password");
    }
    checkPassword(oldPassword);
    checkPassword(newPassword);
    if (java.util.Arrays.equals(oldPassword, newPassword)) {
      throw new InvalidInputException("The new password is the same as the old one.");
    }
    KdfParameters newCost = current.isAtLeast(options.kdfCost()) ? current : options.kdfCost();
    AccountKeys oldKeys = AccountKeys.derive(oldPassword, serverId, name, current);
    AccountKeys newKeys = AccountKeys.derive(newPassword, serverId, name, newCost);
    try {
      connection.call(
          Frame.newBuilder()
              .setChangePassword(
                  ChangePassword.newBuilder()
                      .setOldAuthKey(ByteString.copyFrom(oldKeys.authKey()))
                      .setNewAuthKey(ByteString.copyFrom(newKeys.authKey()))
                      .setNewKdfParams(toProto(newCost))),
          Frame.BodyCase.OK);
    } catch (ServerException | IOException | InterruptedException | RuntimeException e) {
      newKeys.destroy();
      throw e;
    } finally {
      oldKeys.destroy();
    }
    accountCost = newCost;
    logger.info("changed the password of {} on {}", name, connection.server());
    return newKeys;
  }

  private Frame sendLogin(String name, AccountKeys keys)
      throws ServerException, IOException, InterruptedException {
    return connection.call(
        Frame.newBuilder()
            .setLogin(
                Login.newBuilder()
                    .setUsername(name)
                    .setAuthKey(ByteString.copyFrom(keys.authKey()))
                    .setDeviceId(DEVICE_ID)),
        Frame.BodyCase.LOGIN_OK);
  }

  /** Says Logout (best effort) and closes the connection. */
  @Override
  public void close() {
    if (username != null && !connection.isClosed()) {
      connection.request(Frame.newBuilder().setLogout(Logout.getDefaultInstance()));
    }
    connection.close();
  }

  private LoggedIn loggedIn(
      LoginOk ok, String name, KdfParameters cost, AccountKeys keys, boolean registered)
      throws ProtocolException {
    String canonical = ok.getUsername().isEmpty() ? name : ok.getUsername();
    if (!canonical.equals(name)) {
      keys.destroy();
      connection.close();
      throw new ProtocolException(
          "The server logged us in as " + canonical + " instead of " + name + ".");
    }
    applyLoginLimits(ok);
    this.username = name;
    this.accountCost = cost;
    int deviceId = ok.getDeviceId() == 0 ? DEVICE_ID : ok.getDeviceId();
    return new LoggedIn(name, deviceId, registered || ok.getNewAccount(), keys);
  }

  private void applyLoginLimits(LoginOk ok) {
    if (ok.hasLimits()) {
      long max = Integer.toUnsignedLong(ok.getLimits().getMaxFrameAfterLogin());
      connection.setMaxFrame(
          max == 0 ? WireLimits.MAX_FRAME_AFTER_LOGIN : (int) Math.min(max, Integer.MAX_VALUE));
      applyHeartbeat(connection, options, ok.getLimits());
    } else {
      connection.setMaxFrame(WireLimits.MAX_FRAME_AFTER_LOGIN);
    }
  }

  /**
   * Logs in with keys derived at an earlier login on another connection (a reconnect): no key
   * derivation and no password. The keys stay the caller's and are not destroyed on failure.
   *
   * @throws ServerException if the server refuses ({@code AUTH_FAILED} after a password change
   *     elsewhere, {@code ACCOUNT_DISABLED}, {@code RATE_LIMITED})
   * @throws ProtocolException if the server logs us in under another name
   */
  public void resume(AccountKeys keys) throws ServerException, IOException, InterruptedException {
    Objects.requireNonNull(keys, "keys");
    String name = keys.username();
    Frame response = sendLogin(name, keys);
    LoginOk ok = response.getLoginOk();
    if (!ok.getUsername().isEmpty() && !ok.getUsername().equals(name)) {
      connection.close();
      throw new ProtocolException(
          "The server logged us in as " + ok.getUsername() + " instead of " + name + ".");
    }
    applyLoginLimits(ok);
    this.username = name;
    this.accountCost = keys.parameters();
    logger.info("logged in again as {} on {}", name, connection.server());
  }

  private KdfParameters acceptedCost(KdfParams params) throws ProtocolException {
    try {
      Validation.kdfParams(params);
    } catch (WireException e) {
      throw new ProtocolException(
          "The server asked for an invalid key-derivation cost: " + e.getMessage());
    }
    KdfParameters cost =
        new KdfParameters(params.getMemoryKib(), params.getIterations(), params.getParallelism());
    if (!cost.isAtLeast(options.kdfFloor())) {
      throw new ProtocolException(
          "The server asked for a key-derivation cost of "
              + cost
              + ", below this client's minimum of "
              + options.kdfFloor()
              + "; refusing, since that would expose the password to cheap guessing.");
    }
    return cost;
  }

  private static KdfParams toProto(KdfParameters cost) {
    return KdfParams.newBuilder()
        .setMemoryKib(cost.memoryKib())
        .setIterations(cost.iterations())
        .setParallelism(cost.parallelism())
        .build();
  }

  /**
   * The canonical form of a username typed by a user.
   *
   * @throws InvalidInputException with the username rule
   */
  public static String normalizeUsername(String username) throws InvalidInputException {
    Objects.requireNonNull(username, "username");
    try {
      return Usernames.normalize(username);
    } catch (WireException e) {
      throw new InvalidInputException(e.getMessage());
    }
  }

  /**
   * Checks a password's length before any key derivation.
   *
   * @throws InvalidInputException if shorter than {@link WireLimits#MIN_PASSWORD_LENGTH}
   */
  public static void checkPassword(char[] password) throws InvalidInputException {
    Objects.requireNonNull(password, "password");
    int length = Character.codePointCount(password, 0, password.length);
    if (length < WireLimits.MIN_PASSWORD_LENGTH) {
      throw new InvalidInputException(
          "A password must be at least "
              + WireLimits.MIN_PASSWORD_LENGTH
              + " characters, got "
              + length
              + ".");
    }
  }
}
