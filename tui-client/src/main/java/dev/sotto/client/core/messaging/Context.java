package dev.sotto.client.core.messaging;

import dev.sotto.client.core.InvalidInputException;
import dev.sotto.client.core.ServerException;
import dev.sotto.client.core.Session;
import dev.sotto.keystore.ProtocolAddress;
import dev.sotto.keystore.account.AccountKeys;
import dev.sotto.keystore.fingerprint.SafetyNumber;
import dev.sotto.keystore.identity.IdentityKey;
import dev.sotto.keystore.store.LocalStore;
import dev.sotto.keystore.store.LocalStoreException;
import dev.sotto.keystore.store.PendingEntry;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the parts of a {@link Messenger} share: the account, the local store, the threads (one
 * worker that owns all messaging state, one event thread for listeners, one timer) and the parts
 * themselves, so that each can reach the others.
 */
final class Context {
  private static final Logger logger = LoggerFactory.getLogger(Messenger.class);

  final MessengerConfig config;
  final String username;
  final int deviceId;
  final LocalStore store;
  final SecureRandom random = new SecureRandom();
  final ExecutorService worker;
  final ExecutorService eventThread;
  final ScheduledExecutorService timer;
  final List<MessengerListener> listeners = new CopyOnWriteArrayList<>();
  final AtomicBoolean closed = new AtomicBoolean();
  volatile AccountKeys keys;

  final ConnectionSupervisor connection;
  final Outbox outbox;
  final Receiver receiver;
  final SessionSetup sessions;
  final PreKeyMaintenance preKeys;
  final TrustDecisions trust;
  final PresenceWatch presenceWatch;

  Context(
      MessengerConfig config, String username, int deviceId, LocalStore store, AccountKeys keys) {
    this.config = config;
    this.username = username;
    this.deviceId = deviceId;
    this.store = store;
    this.keys = keys;
    this.worker = Executors.newSingleThreadExecutor(r -> daemon(r, "sotto-messenger-" + username));
    this.eventThread =
        Executors.newSingleThreadExecutor(r -> daemon(r, "sotto-events-" + username));
    this.timer =
        Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "sotto-reconnect-" + username));
    this.connection = new ConnectionSupervisor(this);
    this.outbox = new Outbox(this);
    this.receiver = new Receiver(this);
    this.sessions = new SessionSetup(this);
    this.preKeys = new PreKeyMaintenance(this);
    this.trust = new TrustDecisions(this);
    this.presenceWatch = new PresenceWatch(this);
    this.receiver.readReceipts = config.sendReadReceipts();
  }

  /** Per peer, how many pending rows of {@code kind} the store holds. */
  Map<String, Integer> pendingCounts(PendingEntry.Kind kind) throws LocalStoreException {
    Map<String, Integer> counts = new HashMap<>();
    for (PendingEntry p : store.pending(Integer.MAX_VALUE)) {
      if (p.kind() == kind) {
        counts.merge(p.peer().name(), 1, Integer::sum);
      }
    }
    return counts;
  }

  @FunctionalInterface
  interface Work {
    void run() throws Exception;
  }

  /** Runs {@code work} on the worker; its failure fails {@code f}. False if closed. */
  boolean submit(CompletableFuture<?> f, Work work) {
    try {
      worker.execute(() -> runGuarded(f, work));
      return true;
    } catch (java.util.concurrent.RejectedExecutionException e) {
      f.completeExceptionally(new NotConnectedException("The messenger is closed."));
      return false;
    }
  }

  /** Runs {@code work} on this (the worker) thread; its failure fails {@code f}. */
  void runGuarded(CompletableFuture<?> f, Work work) {
    try {
      work.run();
    } catch (ExecutionException e) {
      f.completeExceptionally(e.getCause() == null ? e : e.getCause());
    } catch (Exception | Error e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      if (!(e instanceof InvalidInputException
          || e instanceof IdentityChangedException
          || e instanceof ServerException
          || e instanceof IOException)) {
        logger.warn("messenger task failed", e);
      }
      f.completeExceptionally(e);
    }
  }

  void runOnWorker(Runnable r) {
    try {
      worker.execute(
          () -> {
            try {
              r.run();
            } catch (RuntimeException e) {
              logger.error("messenger task failed", e);
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Closed.
    }
  }

  void emit(MessengerEvent event) {
    String peer =
        event instanceof MessengerEvent.MessageReceived r
            ? r.message().peer()
            : event instanceof MessengerEvent.MessageSent m ? m.message().peer() : null;
    if (peer != null && !presenceWatch.isWatched(peer)) {
      runOnWorker(() -> presenceWatch.add(peer));
    }
    try {
      eventThread.execute(
          () -> {
            for (MessengerListener l : listeners) {
              try {
                l.onEvent(event);
              } catch (RuntimeException e) {
                logger.error("listener failed on {}", event.getClass().getSimpleName(), e);
              }
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Closed.
    }
  }

  void problem(String sentence) {
    emit(new MessengerEvent.Problem(sentence));
  }

  String peerName(String user) throws InvalidInputException {
    String peer = Session.normalizeUsername(user);
    if (peer.equals(username)) {
      throw new InvalidInputException("Messages to yourself are not supported.");
    }
    return peer;
  }

  static ProtocolAddress address(String peer) {
    return new ProtocolAddress(peer, Session.DEVICE_ID);
  }

  SafetyNumber safetyNumberWith(String peer, IdentityKey theirs) throws LocalStoreException {
    return SafetyNumber.of(username, store.identity().publicKey(), peer, theirs);
  }

  void shutdownThreads() {
    closed.set(true);
    timer.shutdownNow();
    worker.shutdownNow();
    eventThread.shutdownNow();
  }

  static long now() {
    return System.currentTimeMillis();
  }

  static void closeQuietly(Session s) {
    if (s != null) {
      try {
        s.close();
      } catch (RuntimeException e) {
        logger.debug("closing a session failed: {}", e.getMessage());
      }
    }
  }

  static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
