package dev.sotto.server.directory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * One token bucket per key, in a map bounded to {@code maxKeys} (least recently used evicted, so a
 * flood of keys cannot grow memory; an evicted key starts again with a full bucket).
 */
final class TokenBuckets {
  private final double capacity;
  private final double tokensPerNano;
  private final LongSupplier nanoTime;
  private final Map<String, Bucket> buckets;

  /**
   * @param capacity burst size
   * @param refillPerSecond tokens added per second
   */
  TokenBuckets(int capacity, double refillPerSecond, int maxKeys, LongSupplier nanoTime) {
    if (capacity < 1 || !(refillPerSecond > 0) || maxKeys < 1) {
      throw new IllegalArgumentException("token bucket settings must be positive");
    }
    this.capacity = capacity;
    this.tokensPerNano = refillPerSecond / 1e9;
    this.nanoTime = nanoTime;
    this.buckets =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
            return size() > maxKeys;
          }
        };
  }

  /** Takes a token for {@code key}: 0 when taken, else milliseconds until one is available. */
  synchronized long tryTake(String key) {
    long now = nanoTime.getAsLong();
    Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(capacity, now));
    double tokens = Math.min(capacity, b.tokens + (now - b.last) * tokensPerNano);
    b.last = now;
    if (tokens >= 1) {
      b.tokens = tokens - 1;
      return 0;
    }
    b.tokens = tokens;
    return Math.max(1, (long) Math.ceil((1 - tokens) / tokensPerNano / 1e6));
  }

  /** Returns a token taken by {@link #tryTake} that was not used. */
  synchronized void refund(String key) {
    Bucket b = buckets.get(key);
    if (b != null) {
      b.tokens = Math.min(capacity, b.tokens + 1);
    }
  }

  private static final class Bucket {
    double tokens;
    long last;

    Bucket(double tokens, long last) {
      this.tokens = tokens;
      this.last = last;
    }
  }

  synchronized int size() {
    return buckets.size();
  }
}
