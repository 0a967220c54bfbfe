package dev.sotto.bench.load;

/**
 * Open-loop pacing: message {@code i} (from 0) is due at {@code start + i / rate}, whatever
 * happened to the messages before it. Latency is measured from the due time, so a stalled server or
 * generator shows up as latency instead of silently lowering the offered rate (no coordinated
 * omission).
 *
 * @param ratePerSecond messages per second over all connections, above 0
 * @param startNanos the due time of message 0 on the {@link System#nanoTime()} clock
 */
public record RatePacer(double ratePerSecond, long startNanos) {
  /** Checks the rate. */
  public RatePacer {
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException("expected a positive finite rate, got " + ratePerSecond);
    }
  }

  /** The due time of message {@code i}. */
  public long dueNanos(long i) {
    if (i < 0) {
      throw new IllegalArgumentException("expected a message index >= 0, got " + i);
    }
    return startNanos + (long) Math.floor(i * 1e9 / ratePerSecond);
  }

  /** How many messages are due at {@code nowNanos}: every {@code i} with due time at most now. */
  public long dueCount(long nowNanos) {
    if (nowNanos < startNanos) {
      return 0;
    }
    long n = (long) Math.floor((nowNanos - startNanos) * ratePerSecond / 1e9) + 1;
    // Floating point may be off by one at the boundary: settle it with dueNanos itself.
    while (n > 0 && dueNanos(n - 1) > nowNanos) {
      n--;
    }
    while (dueNanos(n) <= nowNanos) {
      n++;
    }
    return n;
  }
}
