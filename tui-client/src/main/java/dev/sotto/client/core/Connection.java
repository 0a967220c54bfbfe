package dev.sotto.client.core;

import dev.sotto.wire.FrameReader;
import dev.sotto.wire.FrameWriter;
import dev.sotto.wire.WireException;
import dev.sotto.wire.WireLimits;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.Ping;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One framed TLS 1.3 connection to a server.
 *
 * <p>Threads: a reader thread reads frames and completes the {@link CompletableFuture} of the
 * request whose id a response echoes; pushes (request id 0) go through a bounded queue to a single
 * dispatch thread that calls the {@link PushListener}. Writes are whole frames under a lock, so any
 * thread may send. A timer thread pings every heartbeat interval and fails requests that wait
 * longer than the request timeout. When the connection drops, every pending request fails with a
 * {@link ConnectionClosedException} saying why, and the listener's {@link PushListener#onClosed}
 * runs once.
 *
 * <p>Inbound frames are bounded by {@link #setMaxFrame} (16 KiB until login, then what the server
 * announced), so a server cannot make the client buffer more.
 */
public final class Connection implements AutoCloseable {

  private static final Logger logger = LoggerFactory.getLogger(Connection.class);

  /** The largest inbound frame limit a server may raise us to (16 MiB). */
  static final int MAX_FRAME_CEILING = 16 * 1024 * 1024;

  private final ServerAddress server;
  private final SSLSocket socket;
  private final Fingerprint fingerprint;
  private final ClientOptions options;
  private final PushListener listener;
  private final FrameReader reader;
  private final FrameWriter writer;
  private final Map<Long, CompletableFuture<Frame>> pending = new ConcurrentHashMap<>();
  private final AtomicLong nextRequestId = new AtomicLong(1);
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ScheduledExecutorService timer;
  private final BlockingQueue<Runnable> pushQueue;
  private final Thread readerThread;
  private final Thread dispatchThread;
  private volatile int maxOutboundFrame = WireLimits.MAX_FRAME_BEFORE_LOGIN;
  private volatile ServerException serverCloseReason;
  private volatile ScheduledFuture<?> heartbeat;

  private Connection(
      ServerAddress server,
      SSLSocket socket,
      Fingerprint fingerprint,
      ClientOptions options,
      PushListener listener)
      throws IOException {
    this.server = server;
    this.socket = socket;
    this.fingerprint = fingerprint;
    this.options = options;
    this.listener = listener;
    this.reader =
        new FrameReader(
            new BufferedInputStream(socket.getInputStream()), WireLimits.MAX_FRAME_BEFORE_LOGIN);
    this.writer = new FrameWriter(new BufferedOutputStream(socket.getOutputStream()));
    ScheduledThreadPoolExecutor t =
        new ScheduledThreadPoolExecutor(1, r -> daemon(r, "sotto-timer " + server));
    t.setRemoveOnCancelPolicy(true);
    this.timer = t;
    this.pushQueue = new ArrayBlockingQueue<>(options.pushQueueCapacity());
    this.readerThread = daemon(this::readLoop, "sotto-reader " + server);
    this.dispatchThread = daemon(this::dispatchLoop, "sotto-dispatch " + server);
  }

  /** Thrown by {@link #open} when the server's key is not the expected one (or when probing). */
  static final class FingerprintMismatchException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient Fingerprint presented;

    FingerprintMismatchException(Fingerprint presented) {
      super("server presented " + presented, null, false, false);
      this.presented = presented;
    }

    Fingerprint presented() {
      return presented;
    }
  }

  /**
   * Connects, completes a TLS 1.3 handshake that accepts only {@code expected}, and starts the
   * reader, dispatch and heartbeat. No frame is sent yet.
   *
   * @param expected the fingerprint to accept, or {@code null} to probe: the handshake then always
   *     fails with {@link FingerprintMismatchException} carrying the server's fingerprint
   * @throws UnreachableServerException if no TLS connection can be made
   * @throws FingerprintMismatchException if the server's key is not {@code expected}
   */
  static Connection open(
      ServerAddress server, Fingerprint expected, ClientOptions options, PushListener listener)
      throws UnreachableServerException, FingerprintMismatchException {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(listener, "listener");
    PinningTrustManager trust = new PinningTrustManager(expected);
    SSLSocket socket = null;
    try {
      SSLContext context = SSLContext.getInstance("TLSv1.3");
      context.init(null, new TrustManager[] {trust}, null);
      socket = (SSLSocket) context.getSocketFactory().createSocket();
      int timeoutMs = (int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis());
      socket.connect(new InetSocketAddress(server.host(), server.port()), timeoutMs);
      socket.setTcpNoDelay(true);
      socket.setKeepAlive(true);
      socket.setEnabledProtocols(new String[] {"TLSv1.3"});
      if (isDnsName(server.host())) {
        SSLParameters params = socket.getSSLParameters();
        params.setServerNames(List.of(new SNIHostName(server.host())));
        socket.setSSLParameters(params);
      }
      socket.setSoTimeout(timeoutMs);
      socket.startHandshake();
      socket.setSoTimeout(0);
      Connection connection = new Connection(server, socket, expected, options, listener);
      connection.start();
      logger.info("connected to {} over {}", server, socket.getSession().getProtocol());
      return connection;
    } catch (GeneralSecurityException e) {
      closeQuietly(socket);
      throw new IllegalStateException("this Java runtime does not offer TLS 1.3", e);
    } catch (IOException e) {
      closeQuietly(socket);
      if (trust.mismatched()) {
        throw new FingerprintMismatchException(trust.presented());
      }
      throw unreachable(server, e);
    }
  }

  private static UnreachableServerException unreachable(ServerAddress server, IOException e) {
    String reason;
    if (e instanceof UnknownHostException) {
      reason = "the host name does not resolve";
    } else if (e instanceof ConnectException) {
      reason = "nothing accepts connections there (" + e.getMessage() + ")";
    } else if (e instanceof SocketTimeoutException) {
      reason = "it did not answer in time";
    } else if (e instanceof SSLException) {
      reason = "the TLS 1.3 handshake failed (" + e.getMessage() + "); is it a Sotto server?";
    } else {
      reason = String.valueOf(e.getMessage());
    }
    logger.info("cannot reach {}: {}", server, e.toString());
    return new UnreachableServerException("Cannot reach " + server + ": " + reason + ".", e);
  }

  private void start() {
    readerThread.start();
    dispatchThread.start();
    scheduleHeartbeat(options.heartbeatInterval());
  }

  /**
   * Pings every {@code interval} from now on (replacing the current schedule). A ping that gets no
   * answer within the request timeout closes the connection.
   */
  public void scheduleHeartbeat(java.time.Duration interval) {
    ScheduledFuture<?> old = heartbeat;
    if (old != null) {
      old.cancel(false);
    }
    if (closed.get()) {
      return;
    }
    long ms = Math.max(1, interval.toMillis());
    try {
      heartbeat = timer.scheduleAtFixedRate(this::ping, ms, ms, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Closed meanwhile: nothing left to keep alive.
    }
  }

  private void ping() {
    long nonce = ThreadLocalRandom.current().nextLong();
    request(Frame.newBuilder().setPing(Ping.newBuilder().setNonce(nonce)))
        .whenComplete(
            (frame, error) -> {
              if (error instanceof RequestTimeoutException) {
                closeWith(
                    new ConnectionClosedException(
                        "The server " + server + " stopped answering heartbeats.", error));
              }
            });
  }

  /** The server this connection goes to. */
  public ServerAddress server() {
    return server;
  }

  /** The fingerprint of the server's key, as accepted in the handshake. */
  public Fingerprint fingerprint() {
    return fingerprint;
  }

  /** Whether the connection has ended. */
  public boolean isClosed() {
    return closed.get();
  }

  /**
   * Sets the largest frame body accepted in either direction, e.g. after login to the server's
   * announced {@code max_frame_after_login} (capped at 16 MiB).
   */
  public void setMaxFrame(int maxFrame) {
    int bounded = Math.max(1, Math.min(maxFrame, MAX_FRAME_CEILING));
    reader.setMaxFrame(bounded);
    maxOutboundFrame = bounded;
  }

  /**
   * Sends a request with a fresh request id and returns its response: any frame the server answers
   * with, an {@code Error} included. The future fails with {@link RequestTimeoutException} after
   * the request timeout, with {@link ConnectionClosedException} if the connection ends first, and
   * with {@link IllegalArgumentException} if the frame is over the current size limit.
   */
  public CompletableFuture<Frame> request(Frame.Builder request) {
    long id = nextRequestId.getAndIncrement();
    Frame frame = request.setRequestId(id).build();
    CompletableFuture<Frame> future = new CompletableFuture<>();
    int size = frame.getSerializedSize();
    if (size > maxOutboundFrame) {
      future.completeExceptionally(
          new IllegalArgumentException(
              "a frame of " + size + " bytes is over the limit of " + maxOutboundFrame));
      return future;
    }
    pending.put(id, future);
    if (closed.get()) {
      if (pending.remove(id, future)) {
        future.completeExceptionally(closedException());
      }
      return future;
    }
    long timeoutMs = options.requestTimeout().toMillis();
    String kind = frame.getBodyCase().name();
    try {
      ScheduledFuture<?> timeout =
          timer.schedule(
              () -> {
                if (pending.remove(id, future)) {
                  logger.info("request {} ({}) to {} timed out", id, kind, server);
                  future.completeExceptionally(
                      new RequestTimeoutException(
                          "The server "
                              + server
                              + " did not answer a "
                              + kind
                              + " request within "
                              + timeoutMs
                              + " ms."));
                }
              },
              timeoutMs,
              TimeUnit.MILLISECONDS);
      future.whenComplete((r, e) -> timeout.cancel(false));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // The timer is shut down: the connection closed under us.
      if (pending.remove(id, future)) {
        future.completeExceptionally(closedException());
      }
      return future;
    }
    try {
      writer.write(frame);
    } catch (IOException e) {
      closeWith(
          new ConnectionClosedException(
              "The connection to " + server + " was lost while sending.", e));
    }
    return future;
  }

  /**
   * Sends {@code request} and waits for a response of one of the kinds {@code expected}.
   *
   * @throws ServerException if the server answered with an {@code Error}
   * @throws ProtocolException if it answered with another kind of frame
   * @throws ConnectionClosedException if the connection ended first
   * @throws RequestTimeoutException if no answer came within the request timeout
   * @throws InterruptedException if the calling thread was interrupted while waiting
   */
  public Frame call(Frame.Builder request, Frame.BodyCase... expected)
      throws ServerException, IOException, InterruptedException {
    Frame response;
    try {
      response = request(request).get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(cause);
    } catch (CancellationException e) {
      throw new ConnectionClosedException("The request was cancelled.", e);
    }
    if (response.getBodyCase() == Frame.BodyCase.ERROR) {
      throw ServerException.of(response.getError());
    }
    for (Frame.BodyCase kind : expected) {
      if (response.getBodyCase() == kind) {
        return response;
      }
    }
    throw new ProtocolException(
        "The server answered "
            + request.getBodyCase()
            + " with "
            + response.getBodyCase()
            + " instead of "
            + java.util.Arrays.toString(expected)
            + ".");
  }

  /** Closes the connection; pending requests fail and the listener hears of it. Idempotent. */
  @Override
  public void close() {
    closeWith(new ConnectionClosedException("The connection to " + server + " was closed.", null));
  }

  private ConnectionClosedException closedException() {
    return new ConnectionClosedException(
        "The connection to " + server + " is closed.", serverCloseReason);
  }

  private void closeWith(ConnectionClosedException cause) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    logger.info("connection to {} ended: {}", server, cause.getMessage());
    closeQuietly(socket);
    timer.shutdownNow();
    for (Long id : List.copyOf(pending.keySet())) {
      CompletableFuture<Frame> f = pending.remove(id);
      if (f != null) {
        f.completeExceptionally(cause);
      }
    }
    Runnable last = new CloseTask(cause);
    if (!pushQueue.offer(last)) {
      // Queue full: the dispatcher still runs; make room by waiting, but never block forever.
      try {
        if (!pushQueue.offer(last, 5, TimeUnit.SECONDS)) {
          dispatchThread.interrupt();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void readLoop() {
    try {
      while (!closed.get()) {
        Frame frame = reader.read();
        if (frame == null) {
          closeWith(dropped("the server closed the connection", null));
          return;
        }
        long id = frame.getRequestId();
        if (id != 0) {
          CompletableFuture<Frame> f = pending.remove(id);
          if (f == null) {
            logger.debug("response {} from {} matches no waiting request", id, server);
          } else {
            f.complete(frame);
          }
        } else if (frame.getBodyCase() == Frame.BodyCase.ERROR) {
          // The server says why it is about to close (TIMEOUT, SHUTTING_DOWN, FRAME_TOO_LARGE...).
          serverCloseReason = ServerException.of(frame.getError());
          logger.info(
              "{} reported {}: {}",
              server,
              frame.getError().getCode(),
              frame.getError().getMessage());
        } else {
          Runnable task = () -> listener.onPush(frame);
          while (!pushQueue.offer(task, 100, TimeUnit.MILLISECONDS)) {
            if (closed.get()) {
              return;
            }
          }
        }
      }
    } catch (WireException e) {
      closeWith(dropped("the server sent a bad frame (" + e.getMessage() + ")", e));
    } catch (IOException e) {
      closeWith(dropped("the connection was lost (" + e.getMessage() + ")", e));
    } catch (InterruptedException e) {
      closeWith(dropped("the reader was interrupted", e));
    } catch (RuntimeException e) {
      logger.error("reader of {} failed", server, e);
      closeWith(dropped("the client hit an internal error", e));
    }
  }

  private ConnectionClosedException dropped(String what, Throwable ioCause) {
    ServerException reason = serverCloseReason;
    if (reason != null) {
      return new ConnectionClosedException(
          "The server " + server + " closed the connection: " + reason.getMessage(), reason);
    }
    return new ConnectionClosedException(
        "Connection to " + server + " ended: " + what + ".", ioCause);
  }

  private void dispatchLoop() {
    try {
      while (true) {
        Runnable task = pushQueue.take();
        try {
          task.run();
        } catch (RuntimeException e) {
          logger.error("push listener for {} failed", server, e);
        }
        if (task instanceof CloseTask) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The last task of the dispatch thread: tells the listener the connection ended. */
  private final class CloseTask implements Runnable {
    private final ConnectionClosedException cause;

    CloseTask(ConnectionClosedException cause) {
      this.cause = cause;
    }

    @Override
    public void run() {
      listener.onClosed(cause);
    }
  }

  private static boolean isDnsName(String host) {
    if (host.indexOf(':') >= 0) {
      return false;
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (!(c >= '0' && c <= '9') && c != '.') {
        return host.indexOf('_') < 0;
      }
    }
    return false;
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  private static void closeQuietly(SSLSocket socket) {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException e) {
        // Closing a broken socket fails as often as not; nothing is left to do.
      }
    }
  }
}
