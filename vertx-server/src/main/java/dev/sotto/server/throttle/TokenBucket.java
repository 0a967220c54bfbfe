package dev.sotto.server.throttle;

import java.util.concurrent.TimeUnit;

/**
 * A token bucket: holds up to {@code capacity} tokens, gains one every {@code refillNanos}, and a
 * request takes one (or, for a byte budget, as many as it weighs). Thread-safe.
 */
public final class TokenBucket {

  private final int capacity;
  private final long refillNanos;
  private double tokens;
  private long updatedNanos;

  /**
   * A full bucket.
   *
   * @param capacity the burst size, at least 1
   * @param refillNanos the time to gain one token, at least 1
   * @param nowNanos the current time
   */
  public TokenBucket(int capacity, long refillNanos, long nowNanos) {
    if (capacity < 1 || refillNanos < 1) {
      throw new IllegalArgumentException(
          "expected capacity and refill of at least 1, got " + capacity + ", " + refillNanos);
    }
    this.capacity = capacity;
    this.refillNanos = refillNanos;
    this.tokens = capacity;
    this.updatedNanos = nowNanos;
  }

  /**
   * Takes a token if there is one.
   *
   * @return 0 when a token was taken, otherwise the nanoseconds until one will be there (at least
   *     1)
   */
  public long tryTake(long nowNanos) {
    return tryTake(nowNanos, 1);
  }

  /**
   * Takes {@code amount} tokens if there are that many; otherwise takes none.
   *
   * @param amount 1 to {@code capacity}: a larger amount could never be taken
   * @return 0 when the tokens were taken, otherwise the nanoseconds until there will be {@code
   *     amount} (at least 1)
   * @throws IllegalArgumentException when {@code amount} is outside 1 to {@code capacity}
   */
  public synchronized long tryTake(long nowNanos, long amount) {
    if (amount < 1 || amount > capacity) {
      throw new IllegalArgumentException(
          "expected an amount of 1 to " + capacity + " tokens, got " + amount);
    }
    refill(nowNanos);
    if (tokens >= amount) {
      tokens -= amount;
      return 0;
    }
    return Math.max(1, (long) Math.ceil((amount - tokens) * refillNanos));
  }

  /** Gives back a token taken by {@link #tryTake} that was not used (never above capacity). */
  public synchronized void refund() {
    tokens = Math.min(capacity, tokens + 1);
  }

  /** A wait from {@link #tryTake} in whole milliseconds, rounded up: 0 stays 0, else at least 1. */
  public static long toRetryMillis(long waitNanos) {
    return waitNanos == 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos + 999_999));
  }

  /** Whether the bucket is full at {@code nowNanos}, i.e. indistinguishable from a new one. */
  public synchronized boolean isFull(long nowNanos) {
    refill(nowNanos);
    return tokens >= capacity;
  }

  private void refill(long nowNanos) {
    long elapsed = nowNanos - updatedNanos;
    if (elapsed > 0) {
      tokens = Math.min(capacity, tokens + (double) elapsed / refillNanos);
      updatedNanos = nowNanos;
    }
  }
}
