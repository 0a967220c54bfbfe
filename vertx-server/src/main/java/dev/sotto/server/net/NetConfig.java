package dev.sotto.server.net;

import dev.sotto.wire.WireLimits;
import dev.sotto.wire.proto.Limits;
import java.time.Duration;
import java.util.Objects;

/**
 * Limits and timeouts of the connection layer.
 *
 * @param maxFrameBeforeLogin largest frame body before login, in bytes
 * @param maxFrameAfterLogin largest frame body after login, in bytes
 * @param loginTimeout a connection not logged in by then is closed (after a {@code TIMEOUT} error)
 * @param idleTimeout a connection silent this long is closed (after a {@code TIMEOUT} error)
 * @param tlsHandshakeTimeout a TLS handshake not finished by then is dropped
 * @param slowReaderTimeout a connection whose write queue stays full this long is closed
 * @param connectionOutboundBytes most bytes queued for one connection; beyond, it is closed
 * @param globalOutboundBytes most bytes queued for all connections together; a write that would go
 *     beyond closes the connection it was for
 * @param maxInFlight requests of one logged-in connection processed at the same time; reading
 *     pauses at this many (before login: one at a time)
 * @param maxConnections open connections at most; more are refused with {@code SERVER_BUSY}
 * @param shutdownGrace how long a shutdown waits for in-flight requests before closing
 */
public record NetConfig(
    int maxFrameBeforeLogin,
    int maxFrameAfterLogin,
    Duration loginTimeout,
    Duration idleTimeout,
    Duration tlsHandshakeTimeout,
    Duration slowReaderTimeout,
    long connectionOutboundBytes,
    long globalOutboundBytes,
    int maxInFlight,
    int maxConnections,
    Duration shutdownGrace) {

  public NetConfig {
    Objects.requireNonNull(loginTimeout, "loginTimeout");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(tlsHandshakeTimeout, "tlsHandshakeTimeout");
    Objects.requireNonNull(slowReaderTimeout, "slowReaderTimeout");
    Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    if (maxFrameBeforeLogin < 1
        || maxFrameAfterLogin < maxFrameBeforeLogin
        || connectionOutboundBytes < maxFrameAfterLogin + 4L
        || globalOutboundBytes < connectionOutboundBytes
        || maxInFlight < 1
        || maxConnections < 1) {
      throw new IllegalArgumentException("inconsistent connection limits");
    }
  }

  /**
   * The protocol's limits (WireLimits) and: TLS handshake 10 s, slow reader 30 s, 8 MiB queued per
   * connection, 256 MiB for all, 64 requests in flight, 10,000 connections, 5 s grace.
   */
  public static NetConfig defaults() {
    return new NetConfig(
        WireLimits.MAX_FRAME_BEFORE_LOGIN,
        WireLimits.MAX_FRAME_AFTER_LOGIN,
        Duration.ofMillis(WireLimits.LOGIN_TIMEOUT_MS),
        Duration.ofMillis(WireLimits.IDLE_TIMEOUT_MS),
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        8L << 20,
        256L << 20,
        64,
        10_000,
        Duration.ofSeconds(5));
  }

  /** This config with other login and idle timeouts (tests). */
  public NetConfig withTimeouts(Duration login, Duration idle) {
    return new NetConfig(
        maxFrameBeforeLogin,
        maxFrameAfterLogin,
        login,
        idle,
        tlsHandshakeTimeout,
        slowReaderTimeout,
        connectionOutboundBytes,
        globalOutboundBytes,
        maxInFlight,
        maxConnections,
        shutdownGrace);
  }

  /** The limits announced in {@code Welcome} and {@code LoginOk}. */
  public Limits toProto() {
    return WireLimits.toProto().toBuilder()
        .setMaxFrameBeforeLogin(maxFrameBeforeLogin)
        .setMaxFrameAfterLogin(maxFrameAfterLogin)
        .setLoginTimeoutMs((int) loginTimeout.toMillis())
        .setIdleTimeoutMs((int) idleTimeout.toMillis())
        .build();
  }
}
