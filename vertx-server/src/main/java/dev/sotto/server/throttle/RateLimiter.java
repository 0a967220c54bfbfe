package dev.sotto.server.throttle;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One {@link TokenBucket} per key (source address, account name), created on first use.
 *
 * <p>The map is bounded: {@link #sweep} drops buckets that have refilled completely (such a bucket
 * behaves exactly as a fresh one, so dropping it forgets nothing), and while the map holds {@code
 * maxKeys} buckets a new key is refused rather than added, so a flood of distinct keys costs
 * bounded memory and fails closed. Thread-safe.
 *
 * @param <K> the key type
 */
public final class RateLimiter<K> {

  /** The shape of the buckets and the bound on their number. */
  public record Config(int capacity, Duration refillEvery, int maxKeys) {
    public Config {
      Objects.requireNonNull(refillEvery, "refillEvery");
      if (capacity < 1 || refillEvery.isNegative() || refillEvery.isZero() || maxKeys < 1) {
        throw new IllegalArgumentException("expected positive capacity, refill and maxKeys");
      }
    }
  }

  private final String name;
  private final Config config;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<K, TokenBucket> buckets = new ConcurrentHashMap<>();

  /**
   * @param name what is limited, for logs (e.g. {@code "login per address"})
   * @param config bucket shape and bound
   * @param nanoClock a monotonic clock, {@code System::nanoTime} outside tests
   */
  public RateLimiter(String name, Config config, LongSupplier nanoClock) {
    this.name = Objects.requireNonNull(name, "name");
    this.config = Objects.requireNonNull(config, "config");
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
  }

  /** What is limited. */
  public String name() {
    return name;
  }

  /**
   * Takes a token from {@code key}'s bucket.
   *
   * @return 0 when allowed, otherwise the milliseconds to wait before retrying (at least 1)
   */
  public long tryAcquire(K key) {
    return tryAcquire(key, 1);
  }

  /**
   * Takes {@code amount} tokens from {@code key}'s bucket, or none.
   *
   * @param amount 1 to {@link Config#capacity()}
   * @return 0 when allowed, otherwise the milliseconds to wait before retrying (at least 1)
   * @throws IllegalArgumentException when {@code amount} is outside 1 to the capacity
   */
  public long tryAcquire(K key, long amount) {
    long now = nanoClock.getAsLong();
    TokenBucket bucket = buckets.get(key);
    if (bucket == null) {
      if (buckets.size() >= config.maxKeys()) {
        // Full of keys: refused until the periodic sweep (about a second) makes room.
        return Math.max(
            config.refillEvery().toMillis() + 1,
            TokenBucket.toRetryMillis(amount * config.refillEvery().toNanos()));
      }
      bucket =
          buckets.computeIfAbsent(
              key, k -> new TokenBucket(config.capacity(), config.refillEvery().toNanos(), now));
    }
    return TokenBucket.toRetryMillis(bucket.tryTake(now, amount));
  }

  /** Gives back one token taken by {@link #tryAcquire(Object)} that was not used. */
  public void refund(K key) {
    TokenBucket bucket = buckets.get(key);
    if (bucket != null) {
      bucket.refund();
    }
  }

  /** Drops every bucket that is full again; call periodically. Returns how many were dropped. */
  public int sweep() {
    long now = nanoClock.getAsLong();
    int before = buckets.size();
    buckets.values().removeIf(b -> b.isFull(now));
    return before - buckets.size();
  }

  /** How many buckets are held. */
  public int size() {
    return buckets.size();
  }
}
