package dev.sotto.server.messaging;

import dev.sotto.server.account.AccountService;
import dev.sotto.server.delivery.DeliveryService;
import dev.sotto.server.directory.PreKeyDirectory;
import dev.sotto.server.directory.PreKeyFetch;
import dev.sotto.server.directory.PreKeyProtos;
import dev.sotto.server.directory.PreKeyUpload;
import dev.sotto.server.mailbox.Address;
import dev.sotto.server.mailbox.Envelope;
import dev.sotto.server.mailbox.EnvelopeCodec;
import dev.sotto.server.mailbox.MessageId;
import dev.sotto.server.net.Connection;
import dev.sotto.server.net.ConnectionListener;
import dev.sotto.server.net.ConnectionRegistry;
import dev.sotto.server.net.Dispatcher;
import dev.sotto.server.presence.Presence;
import dev.sotto.server.presence.PresenceRegistry;
import dev.sotto.server.request.RequestException;
import dev.sotto.server.throttle.Throttles;
import dev.sotto.wire.Usernames;
import dev.sotto.wire.Validation;
import dev.sotto.wire.WireException;
import dev.sotto.wire.proto.AckMessages;
import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.FetchPreKeyBundle;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.Ok;
import dev.sotto.wire.proto.PreKeyBundleResponse;
import dev.sotto.wire.proto.SendMessage;
import dev.sotto.wire.proto.UploadPreKeys;
import dev.sotto.wire.proto.UserList;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handlers of the prekey, messaging, user, presence and block frames, and the bridge that
 * starts a delivery session when a connection logs in and ends it when the connection goes.
 *
 * <p>Every route requires a logged-in connection (the {@link Dispatcher} answers {@code
 * NOT_AUTHENTICATED} before login and the connection stays open). Each handler validates its input
 * with bounded sizes before touching the store, calls the domain service, and maps its future back
 * onto the connection's context ({@link Connection#onContext}) before the response is written.
 *
 * <p>Never logged: ciphertext, keys, whole frames. Logged at debug: sender, recipient, size and
 * outcome of each send.
 */
public final class MessagingHandlers implements ConnectionListener {

  private static final Logger logger = LoggerFactory.getLogger(MessagingHandlers.class);

  private final AccountService accounts;
  private final PreKeyDirectory directory;
  private final PreKeyDirectory.Limits preKeyLimits;
  private final PresenceRegistry presence;
  private final DeliveryService delivery;
  private final DeliveryService.Settings deliverySettings;
  private final ConnectionRegistry registry;
  private final int maxListedUsers;
  private final Throttles throttles;
  private final PresenceBroadcaster broadcaster;
  private final Map<Connection, ConnectionDevice> devices = new ConcurrentHashMap<>();

  /**
   * @param registry the logged-in connections (for pushes to users)
   * @param maxListedUsers most users in one {@code UserList}
   * @param throttles its {@code presence} limiter bounds {@code SetPresence} per user, and {@link
   *     Throttles#trySend} {@code SendMessage} per user ({@code RATE_LIMITED} beyond them)
   * @param presencePushInterval at most one {@code PresencePush} per user per interval; the last
   *     state wins
   * @param timer runs the end of a push interval (a Vert.x timer)
   */
  public MessagingHandlers(
      AccountService accounts,
      PreKeyDirectory directory,
      PreKeyDirectory.Limits preKeyLimits,
      PresenceRegistry presence,
      DeliveryService delivery,
      DeliveryService.Settings deliverySettings,
      ConnectionRegistry registry,
      int maxListedUsers,
      Throttles throttles,
      Duration presencePushInterval,
      BiConsumer<Long, Runnable> timer) {
    this.accounts = Objects.requireNonNull(accounts, "accounts");
    this.directory = Objects.requireNonNull(directory, "directory");
    this.preKeyLimits = Objects.requireNonNull(preKeyLimits, "preKeyLimits");
    this.presence = Objects.requireNonNull(presence, "presence");
    this.delivery = Objects.requireNonNull(delivery, "delivery");
    this.deliverySettings = Objects.requireNonNull(deliverySettings, "deliverySettings");
    this.registry = Objects.requireNonNull(registry, "registry");
    if (maxListedUsers < 1) {
      throw new IllegalArgumentException("maxListedUsers must be positive");
    }
    this.maxListedUsers = maxListedUsers;
    this.throttles = Objects.requireNonNull(throttles, "throttles");
    Objects.requireNonNull(timer, "timer");
    this.broadcaster =
        new PresenceBroadcaster(registry, presence, presencePushInterval.toMillis(), timer::accept);
    presence.addListener(broadcaster::changed);
  }

  /** Adds the routes of this class to {@code dispatcher}. */
  public Dispatcher register(Dispatcher dispatcher) {
    Dispatcher.Access auth = Dispatcher.Access.AUTHENTICATED;
    return dispatcher
        .route(Frame.BodyCase.UPLOAD_PRE_KEYS, auth, false, this::uploadPreKeys)
        .route(Frame.BodyCase.FETCH_PRE_KEY_BUNDLE, auth, false, this::fetchPreKeyBundle)
        .route(Frame.BodyCase.PRE_KEY_COUNT_REQUEST, auth, false, this::preKeyCount)
        .route(Frame.BodyCase.SEND_MESSAGE, auth, false, this::sendMessage)
        .route(Frame.BodyCase.ACK_MESSAGES, auth, false, this::ackMessages)
        .route(Frame.BodyCase.LIST_USERS, auth, false, this::listUsers)
        .route(Frame.BodyCase.SET_PRESENCE, auth, false, this::setPresence)
        .route(Frame.BodyCase.BLOCK, auth, false, this::block)
        .route(Frame.BodyCase.UNBLOCK, auth, false, this::unblock)
        .route(Frame.BodyCase.WATCH_PRESENCE, auth, false, this::watchPresence);
  }

  // ------------------------------------------------------------------ connection life

  @Override
  public void loggedIn(Connection connection) {
    ConnectionDevice device = new ConnectionDevice(connection);
    if (devices.putIfAbsent(connection, device) != null) {
      return;
    }
    delivery
        .connect(device)
        .whenComplete(
            (v, err) -> {
              if (err != null) {
                logger.warn(
                    "event=backlog conn={} user={} outcome=failed detail=\"{}\"",
                    connection.id(),
                    connection.user(),
                    err.toString());
              }
            });
    remindIfLow(connection);
  }

  @Override
  public void loggedOut(Connection connection) {
    ConnectionDevice device = devices.remove(connection);
    if (device != null) {
      broadcaster.unwatch(connection);
      delivery.disconnect(device);
    }
  }

  @Override
  public void pushDrained(Connection connection) {
    ConnectionDevice device = devices.get(connection);
    if (device != null) {
      delivery.resume(device);
    }
  }

  /** How many connections have a delivery session (tests, metrics). */
  public int sessions() {
    return devices.size();
  }

  /** How many users at least one connection watches the presence of (tests, metrics). */
  public int watchedUsers() {
    return broadcaster.watchedUsers();
  }

  /** How many connections watch the presence of at least one user (tests, metrics). */
  public int watchingConnections() {
    return broadcaster.watchingConnections();
  }

  private void remindIfLow(Connection connection) {
    String user = connection.user();
    int device = connection.deviceId();
    directory
        .hasBundle(user, device)
        .thenCompose(
            has ->
                has
                    ? directory.count(user, device)
                    : java.util.concurrent.CompletableFuture.completedFuture(null))
        .whenComplete(
            (counts, err) -> {
              if (err == null && counts != null && counts.below(preKeyLimits.lowThreshold())) {
                connection.pushInOrder(
                    Frame.newBuilder().setPreKeysLow(PreKeyProtos.toLow(counts)).build());
              }
            });
  }

  // ------------------------------------------------------------------ prekeys

  private Future<Frame> uploadPreKeys(Connection c, Frame frame) {
    UploadPreKeys p = frame.getUploadPreKeys();
    int device = p.getDeviceId() == 0 ? c.deviceId() : p.getDeviceId();
    if (device != c.deviceId()) {
      return refuse(
          ErrorCode.INVALID_REQUEST,
          "Prekeys can be uploaded only for the device this connection logged in as (device "
              + c.deviceId()
              + ").");
    }
    PreKeyUpload upload = PreKeyProtos.fromProto(p.toBuilder().setDeviceId(device).build());
    return c.onContext(directory.upload(c.user(), upload))
        .map(
            counts -> {
              logger.debug(
                  "event=upload-prekeys user={} one_time={} kem={} outcome=ok",
                  c.user(),
                  counts.oneTime(),
                  counts.oneTimeKem());
              return ok();
            });
  }

  private Future<Frame> fetchPreKeyBundle(Connection c, Frame frame) {
    FetchPreKeyBundle f = frame.getFetchPreKeyBundle();
    if (!f.hasAddress()) {
      return refuse(ErrorCode.INVALID_REQUEST, "FetchPreKeyBundle needs an address.");
    }
    dev.sotto.wire.proto.Address target;
    try {
      target = Validation.address(f.getAddress());
    } catch (WireException e) {
      return Future.failedFuture(e);
    }
    String owner = target.getUser();
    if (accounts.find(owner).isEmpty()) {
      return refuse(ErrorCode.UNKNOWN_USER, "There is no user named " + owner + ".");
    }
    return c.onContext(directory.fetch(c.user(), owner, target.getDeviceId()))
        .map(
            (PreKeyFetch fetch) -> {
              if (fetch.ownerLow()) {
                Frame low =
                    Frame.newBuilder().setPreKeysLow(PreKeyProtos.toLow(fetch.remaining())).build();
                for (Connection oc : registry.connectionsOf(owner)) {
                  if (oc.deviceId() == target.getDeviceId()) {
                    oc.pushInOrder(low);
                  }
                }
              }
              PreKeyBundleResponse bundle = PreKeyProtos.toProto(fetch.bundle());
              return Frame.newBuilder().setPreKeyBundle(bundle).build();
            });
  }

  private Future<Frame> preKeyCount(Connection c, Frame frame) {
    return c.onContext(directory.count(c.user(), c.deviceId()))
        .map(counts -> Frame.newBuilder().setPreKeyCount(PreKeyProtos.toCount(counts)).build());
  }

  // ------------------------------------------------------------------ messages

  private Future<Frame> sendMessage(Connection c, Frame frame) {
    SendMessage sm = frame.getSendMessage();
    if (!sm.hasEnvelope()) {
      return refuse(ErrorCode.INVALID_REQUEST, "SendMessage needs an envelope.");
    }
    Envelope envelope;
    try {
      envelope = EnvelopeCodec.fromClient(sm.getEnvelope(), new Address(c.user(), c.deviceId()));
    } catch (WireException e) {
      return Future.failedFuture(e);
    }
    if (envelope.recipient().deviceId() != 1) {
      return refuse(
          ErrorCode.INVALID_REQUEST,
          "This server has only device 1 per account, got device "
              + Integer.toUnsignedString(envelope.recipient().deviceId())
              + ".");
    }
    String to = envelope.recipient().user();
    int size = envelope.ciphertextLength();
    long retryMs = throttles.trySend(c.user(), sm.getEnvelope().getSerializedSize());
    if (retryMs > 0) {
      // Refused before the store: nothing is stored, and a resend with the same id is new to it.
      logger.debug(
          "event=send from={} to={} bytes={} outcome=rate-limited retry_ms={}",
          c.user(),
          to,
          size,
          retryMs);
      return Future.failedFuture(
          new RequestException(
              ErrorCode.RATE_LIMITED,
              "You are sending faster than this server allows; try again in " + retryMs + " ms.",
              retryMs));
    }
    return c.onContext(delivery.send(envelope))
        .transform(
            ar -> {
              if (ar.failed()) {
                logger.debug(
                    "event=send from={} to={} bytes={} outcome={}",
                    c.user(),
                    to,
                    size,
                    outcome(ar.cause()));
                return Future.failedFuture(ar.cause());
              }
              logger.debug(
                  "event=send from={} to={} bytes={} held={} outcome=stored",
                  c.user(),
                  to,
                  size,
                  ar.result().held());
              return Future.succeededFuture(
                  Frame.newBuilder().setStored(ar.result().toProto()).build());
            });
  }

  private Future<Frame> ackMessages(Connection c, Frame frame) {
    AckMessages ack = frame.getAckMessages();
    if (ack.getMessageIdsCount() > deliverySettings.maxAckIds()) {
      return refuse(
          ErrorCode.INVALID_REQUEST,
          "At most "
              + deliverySettings.maxAckIds()
              + " message ids can be acknowledged at once, got "
              + ack.getMessageIdsCount()
              + ".");
    }
    List<MessageId> ids;
    try {
      ids = EnvelopeCodec.ackIds(ack);
    } catch (WireException e) {
      return Future.failedFuture(e);
    }
    ConnectionDevice device = devices.get(c);
    if (device == null) {
      return refuse(ErrorCode.INVALID_REQUEST, "This connection has no delivery session yet.");
    }
    return c.onContext(delivery.ack(device, ids)).map(n -> ok());
  }

  // ------------------------------------------------------------------ users, presence, blocks

  private Future<Frame> listUsers(Connection c, Frame frame) {
    UserList.Builder list = UserList.newBuilder();
    String me = c.user();
    for (String name : accounts.usernames(maxListedUsers)) {
      list.addUsers(
          UserList.User.newBuilder()
              .setUsername(name)
              .setPresence(presence.visibleTo(name, me).toProto())
              .setBlocked(presence.isBlocked(me, name)));
    }
    return Future.succeededFuture(Frame.newBuilder().setUserList(list).build());
  }

  private Future<Frame> setPresence(Connection c, Frame frame) {
    Presence chosen;
    try {
      chosen = Presence.chosen(frame.getSetPresence().getPresence());
    } catch (WireException e) {
      return Future.failedFuture(e);
    }
    long retryMs = throttles.presence().tryAcquire(c.user());
    if (retryMs > 0) {
      logger.debug("event=set-presence user={} outcome=rate-limited", c.user());
      return Future.failedFuture(
          new RequestException(
              ErrorCode.RATE_LIMITED,
              "Presence was changed too often; try again in " + retryMs + " ms.",
              retryMs));
    }
    presence.set(c.user(), chosen);
    logger.debug("event=set-presence user={} presence={} outcome=ok", c.user(), chosen);
    return Future.succeededFuture(ok());
  }

  private Future<Frame> block(Connection c, Frame frame) {
    String target;
    try {
      target = Usernames.normalize(frame.getBlock().getUsername());
    } catch (WireException e) {
      return Future.failedFuture(e);
    }
    if (accounts.find(target).isEmpty()) {
      return refuse(ErrorCode.UNKNOWN_USER, "There is no user named " + target + ".");
    }
    return c.onContext(presence.block(c.user(), target))
        .map(
            v -> {
              broadcaster.blockedBy(c.user(), target);
              return ok();
            });
  }

  private Future<Frame> unblock(Connection c, Frame frame) {
    String target;
    try {
      target = Usernames.normalize(frame.getUnblock().getUsername());
    } catch (WireException e) {
      return Future.failedFuture(e);
    }
    return c.onContext(presence.unblock(c.user(), target))
        .map(
            v -> {
              broadcaster.unblockedBy(c.user(), target);
              return ok();
            });
  }

  /**
   * Replaces the connection's watch set: names are checked and normalized, unknown users and the
   * connection's own user are left out (the user list already says who exists), then the snapshot
   * of the rest follows the {@code Ok}.
   */
  private Future<Frame> watchPresence(Connection c, Frame frame) {
    List<String> names;
    try {
      names = Validation.watchPresence(frame.getWatchPresence());
    } catch (WireException e) {
      return Future.failedFuture(e);
    }
    if (!devices.containsKey(c)) {
      return refuse(ErrorCode.INVALID_REQUEST, "This connection has no session yet.");
    }
    String me = c.user();
    List<String> known =
        names.stream().filter(n -> !n.equals(me) && accounts.find(n).isPresent()).toList();
    broadcaster.watch(c, known);
    logger.debug(
        "event=watch-presence user={} asked={} watched={} outcome=ok",
        me,
        names.size(),
        known.size());
    return Future.succeededFuture(ok());
  }

  // ------------------------------------------------------------------ helpers

  private static Frame ok() {
    return Frame.newBuilder().setOk(Ok.getDefaultInstance()).build();
  }

  private static <T> Future<T> refuse(ErrorCode code, String sentence) {
    return Future.failedFuture(new RequestException(code, sentence));
  }

  private static Throwable unwrap(Throwable t) {
    Throwable cause = t;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static String outcome(Throwable failure) {
    Throwable cause = unwrap(failure);
    return cause instanceof WireException e ? e.code().name() : cause.getClass().getSimpleName();
  }
}
