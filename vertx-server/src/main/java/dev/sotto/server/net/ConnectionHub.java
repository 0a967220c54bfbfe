package dev.sotto.server.net;

import dev.sotto.server.throttle.Throttles;
import io.vertx.core.Context;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * What every connection shares: limits, the dispatch table, the registry of logged-in connections,
 * the global outbound budget and the pre-login throttle. One per server; thread-safe.
 */
public final class ConnectionHub {

  private final NetConfig config;
  private final Dispatcher dispatcher;
  private final ConnectionRegistry registry;
  private final OutboundBudget budget;
  private final Throttles throttles;
  private final LongSupplier nanoClock;
  private final ConnectionListener listener;
  private final Set<Connection> open = ConcurrentHashMap.newKeySet();
  private final AtomicLong ids = new AtomicLong();
  private final AtomicLong slowReaderCloses = new AtomicLong();
  private final AtomicLong outboundBudgetCloses = new AtomicLong();

  public ConnectionHub(
      NetConfig config,
      Dispatcher dispatcher,
      ConnectionRegistry registry,
      Throttles throttles,
      LongSupplier nanoClock) {
    this(config, dispatcher, registry, throttles, nanoClock, ConnectionListener.NONE);
  }

  public ConnectionHub(
      NetConfig config,
      Dispatcher dispatcher,
      ConnectionRegistry registry,
      Throttles throttles,
      LongSupplier nanoClock,
      ConnectionListener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
    this.config = Objects.requireNonNull(config, "config");
    this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.throttles = Objects.requireNonNull(throttles, "throttles");
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    this.budget = new OutboundBudget(config.globalOutboundBytes());
  }

  public NetConfig config() {
    return config;
  }

  public ConnectionListener listener() {
    return listener;
  }

  public Dispatcher dispatcher() {
    return dispatcher;
  }

  public ConnectionRegistry registry() {
    return registry;
  }

  public OutboundBudget budget() {
    return budget;
  }

  public Throttles throttles() {
    return throttles;
  }

  long nanoTime() {
    return nanoClock.getAsLong();
  }

  long nextId() {
    return ids.incrementAndGet();
  }

  /** Adds a connection unless the server is full. */
  boolean tryOpen(Connection c) {
    if (open.size() >= config.maxConnections()) {
      return false;
    }
    open.add(c);
    return true;
  }

  void closed(Connection c) {
    open.remove(c);
  }

  /** Runs {@code action} for each open connection that lives on {@code context}. */
  void forEachOn(Context context, Consumer<Connection> action) {
    for (Connection c : open) {
      if (c.context() == context) {
        action.accept(c);
      }
    }
  }

  void countSlowReaderClose() {
    slowReaderCloses.incrementAndGet();
  }

  void countOutboundBudgetClose() {
    outboundBudgetCloses.incrementAndGet();
  }

  /** Connections closed because their write queue stayed full too long (since start). */
  public long slowReaderCloses() {
    return slowReaderCloses.get();
  }

  /** Connections closed because a write would pass the per-connection or global budget. */
  public long outboundBudgetCloses() {
    return outboundBudgetCloses.get();
  }

  /** How many connections are open. */
  public int openConnections() {
    return open.size();
  }
}
