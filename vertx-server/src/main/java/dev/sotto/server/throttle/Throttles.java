package dev.sotto.server.throttle;

import dev.sotto.wire.WireLimits;
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
 *   <li>{@code sendMessages} and {@code sendBytes}: {@code SendMessage} requests and their envelope
 *       bytes per account, so that one sender cannot fill the store's queue and stall everyone
 *       else's messages behind their own.
 * </ul>
 */
public final class Throttles {

  /** The shapes of the limiters. */
  public record Config(
      RateLimiter.Config preAuth,
      RateLimiter.Config authByAddress,
      RateLimiter.Config authByAccount,
      RateLimiter.Config presence,
      RateLimiter.Config sendMessages,
      RateLimiter.Config sendBytes) {

    /** Default burst of {@code SendMessage} envelope bytes per account: 4 MiB. */
    public static final long DEFAULT_SEND_BURST_BYTES = 4L << 20;

    /** Default refill of {@code SendMessage} envelope bytes per account: 1 MiB per second. */
    public static final long DEFAULT_SEND_BYTES_PER_SECOND = 1L << 20;

    /** Default burst of {@code SendMessage} requests per account. */
    public static final int DEFAULT_SEND_BURST_MESSAGES = 1000;

    /** Default refill of {@code SendMessage} requests per account, per second. */
    public static final int DEFAULT_SEND_MESSAGES_PER_SECOND = 200;

    /**
     * Defaults for a LAN server: 60 requests in a burst then 10 per second before login per
     * address; 20 attempts then one per 3 s per address; 10 attempts then one per 10 s per account.
     * 10 presence changes then one per second per account. Per account, 1,000 messages in a burst
     * then 200 per second, and 4 MiB of envelopes in a burst then 1 MiB per second (the largest
     * text the client sends is 64 KiB: a person never gets near either). Each limiter holds at most
     * 100,000 keys.
     */
    public static Config defaults() {
      return new Config(
          new RateLimiter.Config(60, Duration.ofMillis(100), 100_000),
          new RateLimiter.Config(20, Duration.ofSeconds(3), 100_000),
          new RateLimiter.Config(10, Duration.ofSeconds(10), 100_000));
    }

    private static final RateLimiter.Config DEFAULT_PRESENCE =
        new RateLimiter.Config(10, Duration.ofSeconds(1), 100_000);

    /** These login limits with the default presence and send limits. */
    public Config(
        RateLimiter.Config preAuth,
        RateLimiter.Config authByAddress,
        RateLimiter.Config authByAccount) {
      this(
          preAuth,
          authByAddress,
          authByAccount,
          DEFAULT_PRESENCE,
          sendMessagesLimit(DEFAULT_SEND_BURST_MESSAGES, DEFAULT_SEND_MESSAGES_PER_SECOND),
          sendBytesLimit(DEFAULT_SEND_BURST_BYTES, DEFAULT_SEND_BYTES_PER_SECOND));
    }

    /**
     * @throws IllegalArgumentException when {@code sendBytes} holds less than the largest frame
     *     ({@link WireLimits#MAX_FRAME_AFTER_LOGIN}): a valid message could never pass
     */
    public Config {
      Objects.requireNonNull(preAuth, "preAuth");
      Objects.requireNonNull(authByAddress, "authByAddress");
      Objects.requireNonNull(authByAccount, "authByAccount");
      Objects.requireNonNull(presence, "presence");
      Objects.requireNonNull(sendMessages, "sendMessages");
      Objects.requireNonNull(sendBytes, "sendBytes");
      if (sendBytes.capacity() < WireLimits.MAX_FRAME_AFTER_LOGIN) {
        throw new IllegalArgumentException(
            "expected a send burst of at least "
                + WireLimits.MAX_FRAME_AFTER_LOGIN
                + " bytes (the largest frame), got "
                + sendBytes.capacity());
      }
    }

    /** This config with another presence limit. */
    public Config withPresence(RateLimiter.Config newPresence) {
      return new Config(
          preAuth, authByAddress, authByAccount, newPresence, sendMessages, sendBytes);
    }

    /** This config with other send limits ({@link #sendMessagesLimit}, {@link #sendBytesLimit}). */
    public Config withSend(RateLimiter.Config newMessages, RateLimiter.Config newBytes) {
      return new Config(preAuth, authByAddress, authByAccount, presence, newMessages, newBytes);
    }

    /** A per-account message limit: {@code burst} at once, then {@code perSecond}. */
    public static RateLimiter.Config sendMessagesLimit(int burst, int perSecond) {
      return new RateLimiter.Config(burst, perToken(perSecond), 100_000);
    }

    /**
     * A per-account byte limit: {@code burstBytes} at once, then {@code bytesPerSecond}.
     *
     * @throws IllegalArgumentException when {@code burstBytes} is not positive or over 2^31-1
     */
    public static RateLimiter.Config sendBytesLimit(long burstBytes, long bytesPerSecond) {
      if (burstBytes < 1 || burstBytes > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "expected a burst of 1 to " + Integer.MAX_VALUE + " bytes, got " + burstBytes);
      }
      return new RateLimiter.Config((int) burstBytes, perToken(bytesPerSecond), 100_000);
    }

    private static Duration perToken(long perSecond) {
      if (perSecond < 1) {
        throw new IllegalArgumentException("expected a positive rate, got " + perSecond);
      }
      return Duration.ofNanos(Math.max(1, Math.round(1e9 / perSecond)));
    }
  }

  private final RateLimiter<String> preAuth;
  private final RateLimiter<String> authByAddress;
  private final RateLimiter<String> authByAccount;
  private final RateLimiter<String> presence;
  private final RateLimiter<String> sendMessages;
  private final RateLimiter<String> sendBytes;

  public Throttles(Config config, LongSupplier nanoClock) {
    this.preAuth =
        new RateLimiter<>("requests before login per address", config.preAuth(), nanoClock);
    this.authByAddress =
        new RateLimiter<>("auth attempts per address", config.authByAddress(), nanoClock);
    this.authByAccount =
        new RateLimiter<>("auth attempts per account", config.authByAccount(), nanoClock);
    this.presence = new RateLimiter<>("presence changes per account", config.presence(), nanoClock);
    this.sendMessages =
        new RateLimiter<>("messages sent per account", config.sendMessages(), nanoClock);
    this.sendBytes =
        new RateLimiter<>("envelope bytes sent per account", config.sendBytes(), nanoClock);
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

  /** {@code SendMessage} requests per account. */
  public RateLimiter<String> sendMessages() {
    return sendMessages;
  }

  /** {@code SendMessage} envelope bytes per account. */
  public RateLimiter<String> sendBytes() {
    return sendBytes;
  }

  /**
   * Takes one message and {@code envelopeBytes} from {@code account}'s send budget, or nothing.
   *
   * @param envelopeBytes the envelope's encoded size, 1 to the byte burst
   * @return 0 when allowed, otherwise milliseconds to wait
   */
  public long trySend(String account, long envelopeBytes) {
    long byCount = sendMessages.tryAcquire(account);
    if (byCount > 0) {
      return byCount;
    }
    long byBytes = sendBytes.tryAcquire(account, Math.max(1, envelopeBytes));
    if (byBytes > 0) {
      sendMessages.refund(account);
    }
    return byBytes;
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
    for (RateLimiter<String> l :
        List.of(preAuth, authByAddress, authByAccount, presence, sendMessages, sendBytes)) {
      l.sweep();
    }
  }
}
