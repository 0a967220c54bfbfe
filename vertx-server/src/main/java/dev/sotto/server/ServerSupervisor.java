package dev.sotto.server;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the server running in this process when its store fails.
 *
 * <p>A store whose checkpointer met damage in MapDB (typically left by a {@code kill -9} in a place
 * the open's walk does not read) keeps every acknowledged write in its journal and memtables but
 * cannot take writes for long. Reopening it rebuilds MapDB from the journal. So the supervisor
 * stops the failed server (connections close; clients reconnect on their own, as after any restart)
 * and starts a new one on the same configuration, after {@code delay}. The process stays up and
 * nothing acknowledged is lost.
 *
 * <p>If starts keep failing (more than {@code maxRestarts} within {@code window}, say because the
 * disk is full and the rebuild cannot write), the supervisor gives up: {@link #gaveUp()} completes
 * and {@link ServerMain} exits with status 1, which makes a service manager ({@code
 * Restart=on-failure}) take over. Restarts run on the supervisor's own thread, never on the store's
 * checkpointer thread, since stopping the server closes (and joins) that store.
 */
final class ServerSupervisor {
  private static final Logger logger = LoggerFactory.getLogger(ServerSupervisor.class);

  /** A running server as the supervisor sees it. */
  interface Instance {
    /** Completes with the cause when the instance's store fails. */
    CompletionStage<Throwable> storeFailure();

    /** Stops the instance; idempotent, blocking, does not throw. */
    void stop();
  }

  /** Starts an instance and returns once it listens. */
  interface Starter {
    Instance start() throws IOException;
  }

  private final Starter starter;
  private final int maxRestarts;
  private final long windowNanos;
  private final Duration delay;
  private final LongSupplier nanoTime;
  private final ArrayDeque<Long> restarts = new ArrayDeque<>();
  private final CompletableFuture<Throwable> gaveUp = new CompletableFuture<>();
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "sotto-supervisor");
            t.setDaemon(true);
            return t;
          });
  private Instance current; // guarded by this
  private boolean stopped; // guarded by this
  private int restartCount; // guarded by this

  ServerSupervisor(
      Starter starter, int maxRestarts, Duration window, Duration delay, LongSupplier nanoTime) {
    if (maxRestarts < 0) {
      throw new IllegalArgumentException("maxRestarts must be >= 0, got " + maxRestarts);
    }
    this.starter = Objects.requireNonNull(starter, "starter");
    this.maxRestarts = maxRestarts;
    this.windowNanos = window.toNanos();
    this.delay = Objects.requireNonNull(delay, "delay");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
  }

  /** Supervises the first instance, which the caller started (and reported on). */
  void supervise(Instance first) {
    synchronized (this) {
      if (current != null || stopped) {
        throw new IllegalStateException("already supervising");
      }
      current = first;
    }
    watch(first);
  }

  /** The running instance, or null while a restart is under way or after {@link #stop()}. */
  synchronized Instance current() {
    return current;
  }

  /** How many times an instance has been started again after a store failure. */
  synchronized int restartCount() {
    return restartCount;
  }

  /** Completes with the last cause when the supervisor stops trying. */
  CompletionStage<Throwable> gaveUp() {
    return gaveUp;
  }

  /** Stops the running instance and any further restart; idempotent. */
  void stop() {
    Instance running;
    synchronized (this) {
      stopped = true;
      running = current;
      current = null;
    }
    if (running != null) {
      running.stop();
    }
    worker.shutdownNow();
  }

  private void watch(Instance instance) {
    instance
        .storeFailure()
        .thenAcceptAsync(cause -> restart(instance, cause), worker)
        .exceptionally(
            t -> {
              logger.debug("event=supervise outcome=not-watched detail=\"{}\"", t.toString());
              return null;
            });
  }

  private void restart(Instance failed, Throwable cause) {
    synchronized (this) {
      if (stopped || current != failed) {
        return;
      }
      current = null;
    }
    logger.error(
        "event=store-failed action=restart detail=\"{}\": stopping the server and starting it"
            + " again in this process; the store rebuilds its state from the journal",
        cause.toString());
    failed.stop();
    Throwable last = cause;
    while (true) {
      long now = nanoTime.getAsLong();
      while (!restarts.isEmpty() && now - restarts.peekFirst() > windowNanos) {
        restarts.pollFirst();
      }
      if (restarts.size() >= maxRestarts) {
        logger.error(
            "event=restart outcome=gave-up restarts={} window_s={} detail=\"{}\"",
            restarts.size(),
            TimeUnit.NANOSECONDS.toSeconds(windowNanos),
            last.toString());
        gaveUp.complete(last);
        return;
      }
      restarts.addLast(now);
      try {
        Thread.sleep(delay.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return; // stop() shut the worker down
      }
      synchronized (this) {
        if (stopped) {
          return;
        }
      }
      Instance next;
      try {
        next = starter.start();
      } catch (IOException | RuntimeException e) {
        logger.error("event=restart outcome=failed detail=\"{}\"", e.toString());
        last = e;
        continue;
      }
      synchronized (this) {
        if (stopped) {
          next.stop();
          return;
        }
        current = next;
        restartCount++;
      }
      logger.info("event=restart outcome=ok");
      watch(next);
      return;
    }
  }
}
