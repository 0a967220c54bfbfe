package dev.sotto.server.throttle;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The server's rate limiters.
 *
 * <ul>
 *   <li>{@code preAuth}: every request a not-yet-logged-in connection sends, per source address.
 *   <li>{@code authByAddress}: login, register and password-change attempts per source address.
 *   <li>{@code authByAccount}: the same attempts per (normalized) account name, whether or not the
 *       account exists, so the refusal does not tell which names exist.
 *   <li>{@code presence}: {@code SetPresence} requests per account, so that a user flipping
 *       presence cannot flood everyone with pushes.
 * </ul>
 */
public final class Throttles {

  /** The shapes of the limiters. */
  public record Config(
      RateLimiter.Config preAuth,
      RateLimiter.Config authByAddress,
      RateLimiter.Config authByAccount,
      RateLimiter.Config presence) {

    /**
     * Defaults for a LAN server: 60 requests in a burst then 10 per second before login per
     * address; 20 attempts then one per 3 s per address; 10 attempts then one per 10 s per account.
     * 10 presence changes then one per second per account. Each limiter holds at most 100,000 keys.
     */
    public static Config defaults() {
      return new Config(
          new RateLimiter.Config(60, Duration.ofMillis(100), 100_000),
          new RateLimiter.Config(20, Duration.ofSeconds(3), 100_000),
          new RateLimiter.Config(10, Duration.ofSeconds(10), 100_000),
          DEFAULT_PRESENCE);
    }

    private static final RateLimiter.Config DEFAULT_PRESENCE =
        new RateLimiter.Config(10, Duration.ofSeconds(1), 100_000);

    /** These login limits with the default presence limit. */
    public Config(
        RateLimiter.Config preAuth,
        RateLimiter.Config authByAddress,
        RateLimiter.Config authByAccount) {
      this(preAuth, authByAddress, authByAccount, DEFAULT_PRESENCE);
    }

    public Config {
      Objects.requireNonNull(preAuth, "preAuth");
      Objects.requireNonNull(authByAddress, "authByAddress");
      Objects.requireNonNull(authByAccount, "authByAccount");
      Objects.requireNonNull(presence, "presence");
    }

    /** This config with another presence limit. */
    public Config withPresence(RateLimiter.Config newPresence) {
      return new Config(preAuth, authByAddress, authByAccount, newPresence);
    }
  }

  private final RateLimiter<String> preAuth;
  private final RateLimiter<String> authByAddress;
  private final RateLimiter<String> authByAccount;
  private final RateLimiter<String> presence;

  public Throttles(Config config, LongSupplier nanoClock) {
    this.preAuth =
        new RateLimiter<>("requests before login per address", config.preAuth(), nanoClock);
    this.authByAddress =
        new RateLimiter<>("auth attempts per address", config.authByAddress(), nanoClock);
    this.authByAccount =
        new RateLimiter<>("auth attempts per account", config.authByAccount(), nanoClock);
    this.presence = new RateLimiter<>("presence changes per account", config.presence(), nanoClock);
  }

  /** Requests before login, per source address. */
  public RateLimiter<String> preAuth() {
    return preAuth;
  }

  /** Login, register and password-change attempts per source address. */
  public RateLimiter<String> authByAddress() {
    return authByAddress;
  }

  /** Login, register and password-change attempts per account name. */
  public RateLimiter<String> authByAccount() {
    return authByAccount;
  }

  /** {@code SetPresence} requests per account. */
  public RateLimiter<String> presence() {
    return presence;
  }

  /**
   * Takes one auth attempt for {@code address} and {@code account}.
   *
   * @return 0 when allowed, otherwise milliseconds to wait
   */
  public long tryAuthAttempt(String address, String account) {
    long byAddress = authByAddress.tryAcquire(address);
    if (byAddress > 0) {
      return byAddress;
    }
    return authByAccount.tryAcquire(account);
  }

  /** Sweeps every limiter; call about once a second. */
  public void sweep() {
    for (RateLimiter<String> l : List.of(preAuth, authByAddress, authByAccount, presence)) {
      l.sweep();
    }
  }
}
