package dev.sotto.server.net;

import com.google.protobuf.ByteString;
import dev.sotto.server.account.Account;
import dev.sotto.server.account.AccountService;
import dev.sotto.server.request.RequestException;
import dev.sotto.wire.ErrorMessages;
import dev.sotto.wire.Validation;
import dev.sotto.wire.WireException;
import dev.sotto.wire.WireLimits;
import dev.sotto.wire.proto.ChangePassword;
import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.Hello;
import dev.sotto.wire.proto.KdfParamsResponse;
import dev.sotto.wire.proto.Login;
import dev.sotto.wire.proto.LoginOk;
import dev.sotto.wire.proto.Ok;
import dev.sotto.wire.proto.Pong;
import dev.sotto.wire.proto.Register;
import dev.sotto.wire.proto.Welcome;
import io.vertx.core.Future;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handlers of the handshake, keep-alive and account frames: {@code Hello}, {@code Ping}, {@code
 * KdfParamsRequest}, {@code Register}, {@code Login}, {@code ChangePassword}, {@code Logout}.
 */
public final class CoreHandlers {

  private static final Logger logger = LoggerFactory.getLogger(CoreHandlers.class);

  /** The only device id until several devices per account exist. */
  public static final int DEVICE_ID = 1;

  private final AccountService accounts;
  private final byte[] serverId;
  private final NetConfig config;
  private final LongSupplier wallClockMs;

  public CoreHandlers(
      AccountService accounts, byte[] serverId, NetConfig config, LongSupplier wallClockMs) {
    this.accounts = Objects.requireNonNull(accounts, "accounts");
    this.serverId = serverId.clone();
    this.config = Objects.requireNonNull(config, "config");
    this.wallClockMs = Objects.requireNonNull(wallClockMs, "wallClockMs");
  }

  /** Adds the routes of this class to {@code dispatcher}. */
  public Dispatcher register(Dispatcher dispatcher) {
    return dispatcher
        .route(Frame.BodyCase.HELLO, Dispatcher.Access.ANY, true, this::hello)
        .route(Frame.BodyCase.PING, Dispatcher.Access.GREETED, false, CoreHandlers::ping)
        .route(Frame.BodyCase.KDF_PARAMS_REQUEST, Dispatcher.Access.GREETED, false, this::kdfParams)
        .route(
            Frame.BodyCase.REGISTER,
            Dispatcher.Access.GREETED_NOT_AUTHENTICATED,
            true,
            this::register)
        .route(Frame.BodyCase.LOGIN, Dispatcher.Access.GREETED_NOT_AUTHENTICATED, true, this::login)
        .route(
            Frame.BodyCase.CHANGE_PASSWORD,
            Dispatcher.Access.AUTHENTICATED,
            true,
            this::changePassword)
        .route(Frame.BodyCase.LOGOUT, Dispatcher.Access.AUTHENTICATED, true, CoreHandlers::logout);
  }

  private Future<Frame> hello(Connection c, Frame frame) {
    Hello hello = frame.getHello();
    if (c.state() != Connection.State.NEW) {
      return Future.failedFuture(
          new RequestException(
              ErrorCode.INVALID_REQUEST, "Hello was already received on this connection."));
    }
    if (hello.getProtocolVersion() != WireLimits.PROTOCOL_VERSION) {
      logger.info(
          "event=hello remote={} version={} outcome=UNSUPPORTED_VERSION",
          c.remote(),
          Integer.toUnsignedString(hello.getProtocolVersion()));
      c.closeAfterReply();
      return Future.succeededFuture(
          ErrorMessages.unsupportedVersion(
              frame.getRequestId(), hello.getProtocolVersion(), WireLimits.PROTOCOL_VERSION));
    }
    try {
      Validation.clientName(hello.getClient());
    } catch (WireException e) {
      c.closeAfterReply();
      return Future.failedFuture(e);
    }
    c.greeted();
    return Future.succeededFuture(
        Frame.newBuilder()
            .setWelcome(
                Welcome.newBuilder()
                    .setProtocolVersion(WireLimits.PROTOCOL_VERSION)
                    .setServerId(ByteString.copyFrom(serverId))
                    .setLimits(config.toProto())
                    .setServerTimeMs(wallClockMs.getAsLong())
                    .setRegistration(accounts.policy().toProto()))
            .build());
  }

  private static Future<Frame> ping(Connection c, Frame frame) {
    return Future.succeededFuture(
        Frame.newBuilder().setPong(Pong.newBuilder().setNonce(frame.getPing().getNonce())).build());
  }

  private Future<Frame> kdfParams(Connection c, Frame frame) {
    return Future.succeededFuture(
        Frame.newBuilder()
            .setKdfParamsResponse(
                KdfParamsResponse.newBuilder()
                    .setParams(
                        accounts
                            .kdfParametersFor(frame.getKdfParamsRequest().getUsername())
                            .toProto()))
            .build());
  }

  private Future<Frame> register(Connection c, Frame frame) {
    Register r = frame.getRegister();
    try {
      Validation.register(r);
    } catch (WireException e) {
      logger.info(
          "event=register user={} remote={} outcome={}",
          sanitize(r.getUsername()),
          c.remote(),
          e.code());
      return Future.failedFuture(e);
    }
    return c.onContext(
            accounts.register(
                c.remoteHost(),
                r.getUsername(),
                r.getKdfParams(),
                r.getAuthKey(),
                r.getInviteCode()))
        .transform(
            ar -> {
              if (ar.failed()) {
                logFailure("register", r.getUsername(), c, ar.cause());
                return Future.failedFuture(ar.cause());
              }
              Account a = ar.result();
              c.authenticated(a.username(), DEVICE_ID);
              logger.info("event=register user={} remote={} outcome=ok", a.username(), c.remote());
              return Future.succeededFuture(loginOk(a, true));
            });
  }

  private Future<Frame> login(Connection c, Frame frame) {
    Login l = frame.getLogin();
    try {
      Validation.login(l);
    } catch (WireException e) {
      logger.info(
          "event=login user={} remote={} outcome={}",
          sanitize(l.getUsername()),
          c.remote(),
          e.code());
      return Future.failedFuture(e);
    }
    if (l.getDeviceId() != DEVICE_ID) {
      return Future.failedFuture(
          new RequestException(
              ErrorCode.INVALID_REQUEST,
              "This server supports only device id 1, got "
                  + Integer.toUnsignedString(l.getDeviceId())
                  + "."));
    }
    return c.onContext(accounts.login(c.remoteHost(), l.getUsername(), l.getAuthKey()))
        .transform(
            ar -> {
              if (ar.failed()) {
                logFailure("login", l.getUsername(), c, ar.cause());
                return Future.failedFuture(ar.cause());
              }
              Account a = ar.result();
              c.authenticated(a.username(), DEVICE_ID);
              logger.info("event=login user={} remote={} outcome=ok", a.username(), c.remote());
              return Future.succeededFuture(loginOk(a, false));
            });
  }

  private Future<Frame> changePassword(Connection c, Frame frame) {
    ChangePassword cp = frame.getChangePassword();
    try {
      Validation.changePassword(cp);
    } catch (WireException e) {
      return Future.failedFuture(e);
    }
    return c.onContext(
            accounts.changePassword(
                c.remoteHost(),
                c.user(),
                cp.getOldAuthKey(),
                cp.getNewAuthKey(),
                cp.getNewKdfParams()))
        .transform(
            ar -> {
              if (ar.failed()) {
                logFailure("change-password", c.user(), c, ar.cause());
                return Future.failedFuture(ar.cause());
              }
              logger.info(
                  "event=change-password user={} remote={} outcome=ok", c.user(), c.remote());
              return Future.succeededFuture(ok());
            });
  }

  private static Future<Frame> logout(Connection c, Frame frame) {
    logger.info("event=logout user={} remote={} outcome=ok", c.user(), c.remote());
    c.closeAfterReply();
    return Future.succeededFuture(ok());
  }

  private Frame loginOk(Account a, boolean newAccount) {
    return Frame.newBuilder()
        .setLoginOk(
            LoginOk.newBuilder()
                .setUsername(a.username())
                .setDeviceId(DEVICE_ID)
                .setLimits(config.toProto())
                .setNewAccount(newAccount))
        .build();
  }

  private static Frame ok() {
    return Frame.newBuilder().setOk(Ok.getDefaultInstance()).build();
  }

  private static void logFailure(String event, String rawUser, Connection c, Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    String user = rawUser == null ? "-" : sanitize(rawUser);
    if (cause instanceof RequestException e) {
      logger.info("event={} user={} remote={} outcome={}", event, user, c.remote(), e.code());
    }
  }

  /** A user-supplied name made safe for one log line (no control characters, bounded length). */
  static String sanitize(String raw) {
    StringBuilder out = new StringBuilder(Math.min(raw.length(), 40));
    for (int i = 0; i < raw.length() && out.length() < 40; i++) {
      char ch = raw.charAt(i);
      out.append(ch < 0x20 || ch == 0x7f || ch == ' ' ? '?' : ch);
    }
    return out.toString();
  }
}
