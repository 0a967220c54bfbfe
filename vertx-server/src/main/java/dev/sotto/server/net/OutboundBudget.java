package dev.sotto.server.net;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The global budget of bytes written to sockets but not yet flushed, across all connections.
 * Thread-safe.
 */
public final class OutboundBudget {

  private final long limit;
  private final AtomicLong used = new AtomicLong();

  public OutboundBudget(long limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("expected a positive budget, got " + limit);
    }
    this.limit = limit;
  }

  /** Reserves {@code bytes}; false (and nothing reserved) when that would exceed the budget. */
  public boolean tryReserve(long bytes) {
    while (true) {
      long now = used.get();
      if (now + bytes > limit) {
        return false;
      }
      if (used.compareAndSet(now, now + bytes)) {
        return true;
      }
    }
  }

  /** Returns {@code bytes} reserved earlier. */
  public void release(long bytes) {
    used.addAndGet(-bytes);
  }

  /** Bytes currently reserved. */
  public long used() {
    return used.get();
  }

  /** The budget. */
  public long limit() {
    return limit;
  }
}
