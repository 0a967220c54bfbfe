package dev.sotto.client.core.messaging;

import static dev.sotto.client.core.messaging.Conversions.*;

import dev.sotto.client.core.CertificateChangedException;
import dev.sotto.client.core.ConnectionClosedException;
import dev.sotto.client.core.PushListener;
import dev.sotto.client.core.ServerException;
import dev.sotto.client.core.ServerTrust;
import dev.sotto.client.core.Session;
import dev.sotto.client.core.TrustPrompt;
import dev.sotto.client.core.UntrustedServerException;
import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.SetPresence;
import java.io.IOException;
import java.net.ProtocolException;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection: the current {@link Link} (one connection and its login), requests on it, and
 * reconnecting with exponential back-off and equal jitter after a drop, logging in again with the
 * keys derived at login. After a reconnect it resends the outbox and the pending sends.
 */
final class ConnectionSupervisor {
  private static final Logger logger = LoggerFactory.getLogger(ConnectionSupervisor.class);

  private final Context ctx;
  volatile Link link;
  volatile ConnectionStatus status = new ConnectionStatus.Online();
  volatile Presence presence = Presence.ONLINE;
  private int reconnectAttempt;

  ConnectionSupervisor(Context ctx) {
    this.ctx = ctx;
  }

  /** One connection and its login; pushes carry the link they came on, so acks go back on it. */
  final class Link implements PushListener {
    volatile Session session;

    /** Outbox entries sent on this link and not yet answered: not sent twice on it. */
    final java.util.Set<MessageId> inFlight = ConcurrentHashMap.newKeySet();

    @Override
    public void onPush(Frame push) {
      ctx.receiver.enqueue(this, push);
    }

    @Override
    public void onClosed(ConnectionClosedException cause) {
      connectionLost(this, cause.getMessage());
    }

    boolean usable() {
      Session s = session;
      return s != null && !s.connection().isClosed() && link == this;
    }
  }

  /** Sends pushes to a target that can be set once the messenger exists. */
  static final class ForwardingListener implements PushListener {
    volatile PushListener target;

    ForwardingListener(PushListener initial) {
      this.target = initial;
    }

    @Override
    public synchronized void onPush(Frame push) {
      target.onPush(push);
    }

    @Override
    public void onClosed(ConnectionClosedException cause) {
      target.onClosed(cause);
    }
  }

  Session currentSession() throws NotConnectedException {
    Link l = link;
    if (l == null || !l.usable()) {
      throw new NotConnectedException(
          "Not connected to " + ctx.config.server() + " right now; try again when reconnected.");
    }
    return l.session;
  }

  /** Sends a request on the current connection; fails with ServerException for an Error. */
  CompletableFuture<Frame> call(Frame.Builder request, Frame.BodyCase expected) {
    Session s;
    try {
      s = currentSession();
    } catch (NotConnectedException e) {
      return CompletableFuture.failedFuture(e);
    }
    return s.connection()
        .request(request)
        .thenCompose(
            f -> {
              if (f.getBodyCase() == Frame.BodyCase.ERROR) {
                return CompletableFuture.failedFuture(ServerException.of(f.getError()));
              }
              if (f.getBodyCase() != expected) {
                return CompletableFuture.failedFuture(
                    new ProtocolException(
                        "The server answered with " + f.getBodyCase() + " instead of " + expected));
              }
              return CompletableFuture.completedFuture(f);
            });
  }

  void connectionLost(Link l, String reason) {
    if (ctx.closed.get() || link != l) {
      return;
    }
    logger.info("connection lost: {}", reason);
    ctx.runOnWorker(
        () -> {
          reconnectAttempt = 0;
          scheduleReconnect(reason);
        });
  }

  void scheduleReconnect(String reason) {
    if (ctx.closed.get()) {
      return;
    }
    long base = ctx.config.reconnectInitial().toMillis();
    long max = ctx.config.reconnectMax().toMillis();
    long exp = base << Math.min(reconnectAttempt, 20);
    long capped = Math.min(max, exp <= 0 ? max : exp);
    // "Equal jitter": half fixed, half random, so clients that dropped together spread out.
    long delay = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
    Instant next = Instant.now().plusMillis(delay);
    setStatus(new ConnectionStatus.Reconnecting(next, reconnectAttempt, reason));
    try {
      ctx.timer.schedule(this::reconnect, delay, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Closed.
    }
  }

  void reconnect() {
    if (ctx.closed.get()) {
      return;
    }
    Link fresh = new Link();
    ForwardingListener forward = new ForwardingListener(fresh);
    Session s = null;
    try {
      ServerTrust pinnedOnly =
          new ServerTrust(
              ctx.config.trust().knownServers(), ctx.config.trust().explicit(), TrustPrompt.REFUSE);
      s = Session.connect(ctx.config.server(), pinnedOnly, ctx.config.client(), forward);
      s.resume(ctx.keys);
      fresh.session = s;
      Session session = s;
      ctx.runOnWorker(() -> reconnected(fresh, session));
    } catch (ServerException e) {
      Context.closeQuietly(s);
      if (e.code() == ErrorCode.AUTH_FAILED || e.code() == ErrorCode.ACCOUNT_DISABLED) {
        goOffline(e.getMessage());
      } else {
        retry(e.getMessage());
      }
    } catch (CertificateChangedException | UntrustedServerException e) {
      Context.closeQuietly(s);
      goOffline(e.getMessage());
    } catch (IOException | RuntimeException e) {
      Context.closeQuietly(s);
      retry(String.valueOf(e.getMessage()));
    } catch (InterruptedException e) {
      Context.closeQuietly(s);
      Thread.currentThread().interrupt();
    }
  }

  void retry(String reason) {
    ctx.runOnWorker(
        () -> {
          reconnectAttempt++;
          scheduleReconnect(reason);
        });
  }

  void goOffline(String reason) {
    ctx.runOnWorker(() -> setStatus(new ConnectionStatus.Offline(reason)));
  }

  void reconnected(Link fresh, Session s) {
    if (ctx.closed.get()) {
      Context.closeQuietly(s);
      return;
    }
    link = fresh;
    if (s.connection().isClosed()) {
      // It dropped again before we got here: its onClosed was ignored while it was not current.
      scheduleReconnect("the connection dropped again");
      return;
    }
    reconnectAttempt = 0;
    logger.info("reconnected to {}", ctx.config.server());
    setStatus(new ConnectionStatus.Online());
    if (presence != Presence.ONLINE) {
      s.connection()
          .request(
              Frame.newBuilder()
                  .setSetPresence(SetPresence.newBuilder().setPresence(toWire(presence))));
    }
    ctx.presenceWatch.sendAll();
    try {
      ctx.preKeys.checkPreKeys(s);
    } catch (Exception e) {
      logger.info("prekey check after reconnect failed: {}", e.getMessage());
    }
    ctx.outbox.resendOutbox(fresh);
    ctx.outbox.flushPendingSends();
  }

  void setStatus(ConnectionStatus s) {
    status = s;
    ctx.emit(new MessengerEvent.ConnectionChanged(s));
  }

  /**
   * Simulates a dropped connection (tests and the TUI's "reconnect now"): closes the current
   * connection without logging out, so the messenger reconnects as after a network failure.
   */
  void dropConnection() {
    Link l = link;
    if (l != null && l.session != null) {
      l.session.connection().close();
    }
  }
}
