package dev.sotto.server.net;

import dev.sotto.server.request.RequestException;
import dev.sotto.store.StoreException;
import dev.sotto.wire.ErrorMessages;
import dev.sotto.wire.FrameCodec;
import dev.sotto.wire.WireException;
import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.Frame;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: framing, the handshake and login state, dispatch of requests to their
 * handlers, back-pressure and timeouts.
 *
 * <p>Framing ({@link FrameDecoder}): a {@code RecordParser} first reads the 4-byte length, which is
 * checked against the connection's current limit (16 KiB before login, 1 MiB after) before a single
 * body byte is buffered; only then does it switch to {@code fixedSizeMode(length)}. A length of 0
 * or a body that is not a frame gets {@code BAD_FRAME}, an oversized length {@code
 * FRAME_TOO_LARGE}; both close the connection, since its stream can no longer be trusted.
 *
 * <p>Flow control: before login one request is processed at a time; after login up to {@link
 * NetConfig#maxInFlight()}; requests marked exclusive in the {@link Dispatcher} run alone. Reading
 * pauses while those limits are reached or while the socket's write queue is full. Every byte
 * queued for writing counts against a per-connection and a global {@link OutboundBudget}; a write
 * beyond either closes the connection, and so does a write queue that stays full longer than {@link
 * NetConfig#slowReaderTimeout()}, or that has had bytes waiting without any of them reaching the
 * socket for that long (flow-controlled pushes never fill the queue, but a reader that has stopped
 * still leaves them waiting). Nothing is lost by closing a slow reader: undelivered messages stay
 * in the mailbox until the recipient acknowledges them.
 *
 * <p>Threading: all state is confined to the connection's event loop. {@link #push} may be called
 * from any thread.
 */
public final class Connection {

  private static final Logger logger = LoggerFactory.getLogger(Connection.class);

  /** Where a connection is in its life. */
  public enum State {
    /** Connected, no {@code Hello} yet. */
    NEW,
    /** {@code Hello} answered, not logged in. */
    GREETED,
    /** Logged in. */
    AUTHENTICATED
  }

  private final ConnectionHub hub;
  private final NetSocket socket;
  private final Context context;
  private final FrameDecoder decoder;
  private final long id;
  private final String remote;
  private final String remoteHost;
  private final long connectedNanos;

  private State state = State.NEW;
  private String user;
  private int deviceId;
  private long lastReadNanos;
  private int inFlight;
  private boolean exclusiveRunning;
  private Frame parked;
  private Dispatcher.Route parkedRoute;
  private boolean readingPaused;
  private boolean writeBlocked;
  private long writeBlockedSinceNanos;
  private long queuedBytes;
  private long writeProgressNanos;
  private boolean closeRequested;
  private boolean shuttingDown;
  private boolean closing;
  private boolean closed;
  private Future<Void> lastWrite = Future.succeededFuture();

  // Frames queued in the current event-loop turn, not yet written (see writeBatch).
  private Buffer batch;
  private List<Runnable> batchDone;
  private int batchBytes;
  private boolean loginPending;
  private boolean loginAnnounced;
  private boolean sessionEnded;

  // Read from any thread (delivery pushes).
  private volatile boolean gone;
  private volatile boolean pushRefused;
  private final AtomicLong pushBytes = new AtomicLong();

  Connection(ConnectionHub hub, NetSocket socket, Context context) {
    this.hub = hub;
    this.socket = socket;
    this.context = context;
    this.id = hub.nextId();
    SocketAddress address = socket.remoteAddress();
    this.remoteHost = address == null ? "unknown" : String.valueOf(address.hostAddress());
    this.remote = address == null ? "unknown" : remoteHost + ":" + address.port();
    this.connectedNanos = hub.nanoTime();
    this.lastReadNanos = connectedNanos;
    this.decoder =
        new FrameDecoder(
            hub.config().maxFrameBeforeLogin(), this::onFrame, this::protocolViolation);
  }

  /** Wires the socket's handlers; called once on the connection's event loop. */
  void start() {
    socket.handler(
        buf -> {
          lastReadNanos = hub.nanoTime();
          decoder.handle(buf);
        });
    socket.exceptionHandler(
        e ->
            logger.debug(
                "event=socket-error conn={} remote={} error={}", id, remote, e.toString()));
    socket.closeHandler(v -> onClosed());
    socket.shutdownHandler(v -> shutdown());
    if (!hub.tryOpen(this)) {
      logger.warn("event=connect remote={} outcome=refused reason=server-full", remote);
      sendAndClose(
          ErrorMessages.error(
              0, ErrorCode.SERVER_BUSY, "The server has too many connections.", 5000));
      return;
    }
    logger.debug("event=connect conn={} remote={}", id, remote);
  }

  // ------------------------------------------------------------------ reading and dispatch

  private void protocolViolation(WireException e) {
    logger.info(
        "event=protocol-error conn={} user={} remote={} code={} outcome=closed",
        id,
        userForLog(),
        remote,
        e.code());
    sendAndClose(ErrorMessages.error(0, e.code(), e.getMessage()));
  }

  private void onFrame(Frame frame) {
    if (closing) {
      return;
    }
    long requestId = frame.getRequestId();
    Frame.BodyCase kind = frame.getBodyCase();
    if (state != State.AUTHENTICATED) {
      long waitMs = hub.throttles().preAuth().tryAcquire(remoteHost);
      if (waitMs > 0) {
        logger.info("event=throttled kind={} remote={} retry_ms={}", kind, remote, waitMs);
        send(
            ErrorMessages.error(
                requestId,
                ErrorCode.RATE_LIMITED,
                "Too many requests before login; wait a moment and try again.",
                waitMs));
        return;
      }
    }
    Optional<Dispatcher.Route> found = hub.dispatcher().find(kind);
    if (found.isEmpty()) {
      send(
          ErrorMessages.error(
              requestId,
              ErrorCode.UNKNOWN_REQUEST,
              "The server does not accept " + kind.name().toLowerCase() + " frames from clients."));
      return;
    }
    if (requestId == 0) {
      send(
          ErrorMessages.error(
              0, ErrorCode.INVALID_REQUEST, "A request needs a non-zero request_id."));
      return;
    }
    Dispatcher.Route route = found.get();
    Optional<ErrorCode> refusal = checkAccess(route.access());
    if (refusal.isPresent()) {
      Frame error = ErrorMessages.error(requestId, refusal.get(), accessSentence(refusal.get()));
      if (refusal.get() == ErrorCode.HANDSHAKE_REQUIRED) {
        logger.info(
            "event=protocol-error kind={} conn={} remote={} code=HANDSHAKE_REQUIRED outcome=closed",
            kind,
            id,
            remote);
        sendAndClose(error);
      } else {
        send(error);
      }
      return;
    }
    boolean alone = route.exclusive() || state != State.AUTHENTICATED;
    if (alone && inFlight > 0) {
      parked = frame;
      parkedRoute = route;
      updateReading();
      return;
    }
    run(frame, route, alone);
  }

  private Optional<ErrorCode> checkAccess(Dispatcher.Access access) {
    switch (access) {
      case ANY:
        return Optional.empty();
      case GREETED:
        return state == State.NEW ? Optional.of(ErrorCode.HANDSHAKE_REQUIRED) : Optional.empty();
      case GREETED_NOT_AUTHENTICATED:
        if (state == State.NEW) {
          return Optional.of(ErrorCode.HANDSHAKE_REQUIRED);
        }
        return state == State.AUTHENTICATED
            ? Optional.of(ErrorCode.ALREADY_AUTHENTICATED)
            : Optional.empty();
      case AUTHENTICATED:
        if (state == State.NEW) {
          return Optional.of(ErrorCode.HANDSHAKE_REQUIRED);
        }
        return state == State.GREETED ? Optional.of(ErrorCode.NOT_AUTHENTICATED) : Optional.empty();
      default:
        throw new IllegalStateException("unknown access " + access);
    }
  }

  private static String accessSentence(ErrorCode code) {
    switch (code) {
      case HANDSHAKE_REQUIRED:
        return "The connection must start with a Hello; it is closed.";
      case NOT_AUTHENTICATED:
        return "Log in first: this request needs a logged-in connection.";
      case ALREADY_AUTHENTICATED:
        return "This connection is already logged in.";
      default:
        return ErrorMessages.describe(code);
    }
  }

  private void run(Frame frame, Dispatcher.Route route, boolean alone) {
    inFlight++;
    if (alone) {
      exclusiveRunning = true;
    }
    updateReading();
    long requestId = frame.getRequestId();
    Future<Frame> result;
    try {
      result = route.handler().handle(this, frame);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(
        ar ->
            onContextNow(
                () -> finish(frame.getBodyCase(), requestId, alone, ar.result(), ar.cause())));
  }

  private void finish(
      Frame.BodyCase kind, long requestId, boolean alone, Frame response, Throwable failure) {
    inFlight--;
    if (alone) {
      exclusiveRunning = false;
    }
    if (failure == null) {
      send(response.toBuilder().setRequestId(requestId).build());
    } else {
      send(errorFor(kind, requestId, failure));
    }
    if (loginPending) {
      loginPending = false;
      if (!closing && !closeRequested && state == State.AUTHENTICATED) {
        loginAnnounced = true;
        hub.listener().loggedIn(this);
      }
    }
    if (inFlight == 0 && (closeRequested || shuttingDown)) {
      if (shuttingDown && !closeRequested) {
        send(
            ErrorMessages.error(
                0, ErrorCode.SHUTTING_DOWN, "The server is shutting down; reconnect later."));
      }
      closeAfterFlush();
      return;
    }
    if (parked != null && inFlight == 0) {
      Frame next = parked;
      Dispatcher.Route nextRoute = parkedRoute;
      parked = null;
      parkedRoute = null;
      run(next, nextRoute, true);
      return;
    }
    updateReading();
  }

  private Frame errorFor(Frame.BodyCase kind, long requestId, Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    ErrorCode code;
    String message;
    OptionalLong retry = OptionalLong.empty();
    if (cause instanceof RequestException e) {
      code = e.code();
      message = e.getMessage();
      retry = e.retryAfterMs();
    } else if (cause instanceof WireException e) {
      code = e.code();
      message = e.getMessage();
    } else {
      boolean store = cause instanceof StoreException;
      logger.error(
          "event=request kind={} conn={} user={} remote={} outcome={}",
          kind,
          id,
          userForLog(),
          remote,
          store ? "store-failure" : "internal-error",
          cause);
      code = ErrorCode.INTERNAL;
      message =
          store
              ? "The server could not store the change; nothing was changed. Try again later."
              : ErrorMessages.describe(ErrorCode.INTERNAL);
    }
    return retry.isPresent()
        ? ErrorMessages.error(requestId, code, message, retry.getAsLong())
        : ErrorMessages.error(requestId, code, message);
  }

  private void updateReading() {
    int limit = state == State.AUTHENTICATED ? hub.config().maxInFlight() : 1;
    boolean shouldRead =
        !closing
            && !shuttingDown
            && !closeRequested
            && !writeBlocked
            && parked == null
            && !exclusiveRunning
            && inFlight < limit;
    if (shouldRead && readingPaused) {
      readingPaused = false;
      socket.resume();
      decoder.resume();
    } else if (!shouldRead && !readingPaused) {
      readingPaused = true;
      decoder.pause();
      socket.pause();
    }
  }

  // ------------------------------------------------------------------ writing

  /**
   * Queues {@code frame} for this connection; on its event loop only. Over the per-connection or
   * global budget, the connection is closed instead.
   */
  void send(Frame frame) {
    send(frame, null);
  }

  /** As {@link #send(Frame)}; runs {@code done} (if not null) once written or dropped. */
  private void send(Frame frame, Runnable done) {
    if (closed || closing) {
      runDone(done);
      return;
    }
    byte[] bytes = FrameCodec.encode(frame);
    int n = bytes.length;
    if (queuedBytes + n > hub.config().connectionOutboundBytes()) {
      runDone(done);
      logger.warn(
          "event=outbound-budget conn={} user={} remote={} queued={} outcome=closed reason=connection",
          id,
          userForLog(),
          remote,
          queuedBytes);
      hub.countOutboundBudgetClose();
      closeNow();
      return;
    }
    if (!hub.budget().tryReserve(n)) {
      runDone(done);
      logger.warn(
          "event=outbound-budget conn={} user={} remote={} global={} outcome=closed reason=global",
          id,
          userForLog(),
          remote,
          hub.budget().used());
      hub.countOutboundBudgetClose();
      closeNow();
      return;
    }
    if (queuedBytes == 0) {
      writeProgressNanos = hub.nanoTime();
    }
    queuedBytes += n;
    if (batch == null) {
      batch = Buffer.buffer(Math.max(512, n));
      batchDone = new ArrayList<>(4);
      batchBytes = 0;
      context.runOnContext(v -> writeBatch());
    }
    batch.appendBytes(bytes);
    batchBytes += n;
    if (done != null) {
      batchDone.add(done);
    }
  }

  /**
   * Writes the frames queued in this event-loop turn as one buffer: one run of TLS records and one
   * system call instead of one per frame (a push, its sender's {@code Stored} and the acks of a
   * group commit arrive as separate tasks in the same turn). Runs as a task queued behind them.
   */
  private void writeBatch() {
    Buffer b = batch;
    if (b == null) {
      return;
    }
    List<Runnable> dones = batchDone;
    int n = batchBytes;
    batch = null;
    batchDone = null;
    batchBytes = 0;
    lastWrite =
        socket
            .write(b)
            .onComplete(
                ar -> {
                  writeProgressNanos = hub.nanoTime();
                  queuedBytes -= n;
                  hub.budget().release(n);
                  dones.forEach(Runnable::run);
                });
    if (!writeBlocked && socket.writeQueueFull()) {
      writeBlocked = true;
      writeBlockedSinceNanos = hub.nanoTime();
      socket.drainHandler(
          v -> {
            writeBlocked = false;
            updateReading();
          });
      updateReading();
    }
  }

  private static void runDone(Runnable done) {
    if (done != null) {
      done.run();
    }
  }

  /** Sends {@code frame} to this connection from any thread (server pushes). */
  public void push(Frame frame) {
    onContextNow(() -> send(frame));
  }

  /**
   * Queues {@code frame} from any thread, always through the event loop's task queue, so frames
   * queued by one caller (and by {@link #offerPush}) go out in the order of the calls.
   */
  public void pushInOrder(Frame frame) {
    if (!gone) {
      context.runOnContext(v -> send(frame));
    }
  }

  /**
   * Offers a flow-controlled push (message delivery) from any thread: queued in call order unless
   * the connection is closing or more than half of its outbound budget is already taken by offered
   * pushes that have not reached the socket. A refused offer is followed, once those bytes drain,
   * by {@link ConnectionListener#pushDrained}, so the caller can offer again; the per-connection
   * budget is then never exceeded by delivery alone, whatever the backlog.
   *
   * @return whether the frame was queued
   */
  public boolean offerPush(Frame frame) {
    if (gone) {
      return false;
    }
    long n = frame.getSerializedSize() + 4L;
    long soft = hub.config().connectionOutboundBytes() / 2;
    // Set the flag before reading the count, so a drain that races with this refusal sees it.
    pushRefused = true;
    long current = pushBytes.get();
    if (current > 0 && current + n > soft) {
      return false;
    }
    pushRefused = false;
    pushBytes.addAndGet(n);
    context.runOnContext(v -> send(frame, () -> pushWritten(n, soft)));
    return true;
  }

  private void pushWritten(long n, long soft) {
    long left = pushBytes.addAndGet(-n);
    if (pushRefused && left <= soft / 2 && !gone) {
      pushRefused = false;
      hub.listener().pushDrained(this);
    }
  }

  private void sendAndClose(Frame frame) {
    if (closed || closing) {
      return;
    }
    send(frame);
    closeAfterFlush();
  }

  private void closeAfterFlush() {
    if (closing || closed) {
      return;
    }
    closing = true;
    gone = true;
    updateReading();
    unregister();
    writeBatch(); // now, so that lastWrite covers every frame queued before the close
    long timer = context.owner().setTimer(TimeUnit.SECONDS.toMillis(5), t -> socket.close());
    lastWrite.onComplete(
        ar -> {
          context.owner().cancelTimer(timer);
          socket.close();
        });
  }

  private void closeNow() {
    if (closed) {
      return;
    }
    closing = true;
    gone = true;
    unregister();
    socket.close();
  }

  // ------------------------------------------------------------------ life cycle

  /** Called once a second by the verticle: login, idle and slow-reader timeouts. */
  void checkTimers(long nowNanos) {
    if (closed || closing) {
      return;
    }
    NetConfig config = hub.config();
    if (state != State.AUTHENTICATED
        && nowNanos - connectedNanos > config.loginTimeout().toNanos()) {
      logger.info("event=timeout kind=login conn={} remote={} outcome=closed", id, remote);
      sendAndClose(
          ErrorMessages.error(
              0,
              ErrorCode.TIMEOUT,
              "No login within "
                  + config.loginTimeout().toSeconds()
                  + " s; the connection is closed."));
    } else if (nowNanos - lastReadNanos > config.idleTimeout().toNanos()) {
      logger.info(
          "event=timeout kind=idle conn={} user={} remote={} outcome=closed",
          id,
          userForLog(),
          remote);
      sendAndClose(
          ErrorMessages.error(
              0,
              ErrorCode.TIMEOUT,
              "Nothing received for "
                  + config.idleTimeout().toSeconds()
                  + " s; the connection is closed."));
    } else if ((writeBlocked
            && nowNanos - writeBlockedSinceNanos > config.slowReaderTimeout().toNanos())
        || (queuedBytes > 0
            && nowNanos - writeProgressNanos > config.slowReaderTimeout().toNanos())) {
      logger.warn(
          "event=slow-reader conn={} user={} remote={} queued={} outcome=closed",
          id,
          userForLog(),
          remote,
          queuedBytes);
      hub.countSlowReaderClose();
      closeNow();
    }
  }

  /** The server is shutting down: stop reading, let in-flight requests answer, then close. */
  void shutdown() {
    if (closed || closing || shuttingDown) {
      return;
    }
    shuttingDown = true;
    updateReading();
    if (inFlight == 0) {
      sendAndClose(
          ErrorMessages.error(
              0, ErrorCode.SHUTTING_DOWN, "The server is shutting down; reconnect later."));
    }
  }

  private void onClosed() {
    if (closed) {
      return;
    }
    closed = true;
    closing = true;
    gone = true;
    unregister();
    hub.closed(this);
    logger.debug("event=disconnect conn={} user={} remote={}", id, userForLog(), remote);
  }

  private void unregister() {
    if (user != null && state == State.AUTHENTICATED) {
      hub.registry().remove(user, this);
    }
    if (loginAnnounced && !sessionEnded) {
      sessionEnded = true;
      hub.listener().loggedOut(this);
    }
  }

  // ------------------------------------------------------------------ for handlers

  /** Marks the handshake done. */
  public void greeted() {
    if (state == State.NEW) {
      state = State.GREETED;
    }
  }

  /**
   * Marks the connection logged in as {@code user}: raises the frame limit, cancels the login
   * timeout and registers it for pushes.
   */
  public void authenticated(String username, int device) {
    this.user = username;
    this.deviceId = device;
    this.state = State.AUTHENTICATED;
    decoder.setMaxFrame(hub.config().maxFrameAfterLogin());
    hub.registry().add(username, this);
    loginPending = true;
  }

  /** Closes the connection once the current request has been answered. */
  public void closeAfterReply() {
    gone = true;
    unregister();
    closeRequested = true;
  }

  /** The state. */
  public State state() {
    return state;
  }

  /** The logged-in user, or null. */
  public String user() {
    return user;
  }

  /** The logged-in device, or 0. */
  public int deviceId() {
    return deviceId;
  }

  /** The peer's IP address, the key of per-address throttles. */
  public String remoteHost() {
    return remoteHost;
  }

  /** The peer's address and port, for logs. */
  public String remote() {
    return remote;
  }

  /** An id for logs. */
  public long id() {
    return id;
  }

  /** The connection's Vert.x context. */
  public Context context() {
    return context;
  }

  /** A Vert.x future, completing on this connection's context, for a store future. */
  public <T> Future<T> onContext(CompletionStage<T> stage) {
    return Future.fromCompletionStage(stage, context);
  }

  private void onContextNow(Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }

  private String userForLog() {
    return user == null ? "-" : user;
  }

  @Override
  public String toString() {
    return "Connection[" + id + " " + remote + " " + userForLog() + "]";
  }
}
