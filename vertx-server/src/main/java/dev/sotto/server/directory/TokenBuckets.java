package dev.sotto.server.directory;

import dev.sotto.server.throttle.TokenBucket;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * One {@link TokenBucket} per key, in a map bounded to {@code maxKeys} (least recently used
 * evicted, so a flood of keys cannot grow memory; an evicted key starts again with a full bucket).
 *
 * <p>Not a {@link dev.sotto.server.throttle.RateLimiter}: that one refuses new keys while it is
 * full (until its periodic sweep), which here would let a flood of made-up target names refuse
 * every prekey fetch; and a fetch refused by the requester's limit gives the target's token back
 * ({@link #refund}).
 */
final class TokenBuckets {
  private final int capacity;
  private final long refillNanos;
  private final LongSupplier nanoTime;
  private final Map<String, TokenBucket> buckets;

  /**
   * @param capacity burst size
   * @param refillPerSecond tokens added per second
   */
  TokenBuckets(int capacity, double refillPerSecond, int maxKeys, LongSupplier nanoTime) {
    if (capacity < 1 || !(refillPerSecond > 0) || maxKeys < 1) {
      throw new IllegalArgumentException("token bucket settings must be positive");
    }
    this.capacity = capacity;
    this.refillNanos = Math.max(1, Math.round(1e9 / refillPerSecond));
    this.nanoTime = nanoTime;
    this.buckets =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, TokenBucket> eldest) {
            return size() > maxKeys;
          }
        };
  }

  /** Takes a token for {@code key}: 0 when taken, else milliseconds until one is available. */
  synchronized long tryTake(String key) {
    long now = nanoTime.getAsLong();
    TokenBucket b = buckets.computeIfAbsent(key, k -> new TokenBucket(capacity, refillNanos, now));
    return TokenBucket.toRetryMillis(b.tryTake(now));
  }

  /** Returns a token taken by {@link #tryTake} that was not used. */
  synchronized void refund(String key) {
    TokenBucket b = buckets.get(key);
    if (b != null) {
      b.refund();
    }
  }

  synchronized int size() {
    return buckets.size();
  }
}
