package dev.sotto.client.core;

import dev.sotto.keystore.account.KdfParameters;
import java.time.Duration;
import java.util.Objects;

/**
 * Tunables of a client connection.
 *
 * @param connectTimeout limit on the TCP connect and on the TLS handshake
 * @param requestTimeout how long a request may wait for its response
 * @param heartbeatInterval how often to ping; the server's announced interval is used when shorter
 * @param clientName sent in Hello, e.g. {@code sotto-cli/0.1.0}
 * @param kdfCost the Argon2id cost for new accounts and new passwords
 * @param kdfFloor the lowest Argon2id cost this client accepts from a server at login. A server
 *     that asked for a trivial cost would receive an auth key that is cheap to attack offline, so
 *     the default floor is OWASP's minimum for Argon2id (19 MiB, 2 passes).
 * @param pushQueueCapacity pushes buffered for the listener before the reader waits
 */
public record ClientOptions(
    Duration connectTimeout,
    Duration requestTimeout,
    Duration heartbeatInterval,
    String clientName,
    KdfParameters kdfCost,
    KdfParameters kdfFloor,
    int pushQueueCapacity) {

  /** The lowest cost accepted from a server by default: 19 MiB, t = 2, p = 1. */
  public static final KdfParameters DEFAULT_KDF_FLOOR = new KdfParameters(19 * 1024, 2, 1);

  /** Checks the values. */
  public ClientOptions {
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
    Objects.requireNonNull(clientName, "clientName");
    Objects.requireNonNull(kdfCost, "kdfCost");
    Objects.requireNonNull(kdfFloor, "kdfFloor");
    if (connectTimeout.isNegative()
        || connectTimeout.isZero()
        || requestTimeout.isNegative()
        || requestTimeout.isZero()
        || heartbeatInterval.isNegative()
        || heartbeatInterval.isZero()) {
      throw new IllegalArgumentException("timeouts and intervals must be positive");
    }
    if (pushQueueCapacity < 1) {
      throw new IllegalArgumentException("pushQueueCapacity must be at least 1");
    }
  }

  /** Connect 10 s, request 15 s, heartbeat 30 s, the default Argon2id cost and floor. */
  public static ClientOptions defaults() {
    return new ClientOptions(
        Duration.ofSeconds(10),
        Duration.ofSeconds(15),
        Duration.ofSeconds(30),
        "sotto/0.1.0",
        KdfParameters.DEFAULT,
        DEFAULT_KDF_FLOOR,
        10_000);
  }

  /**
   * INSECURE, for tests and benchmarks only: these options register and change passwords with
   * {@code cost} and accept it from the server at login. Real accounts keep the defaults.
   */
  public ClientOptions withLoweredKdfCostForTesting(KdfParameters cost) {
    return new ClientOptions(
        connectTimeout,
        requestTimeout,
        heartbeatInterval,
        clientName,
        cost,
        cost,
        pushQueueCapacity);
  }

  /** These options with another request timeout. */
  public ClientOptions withRequestTimeout(Duration timeout) {
    return new ClientOptions(
        connectTimeout,
        timeout,
        heartbeatInterval,
        clientName,
        kdfCost,
        kdfFloor,
        pushQueueCapacity);
  }

  /** These options with another heartbeat interval. */
  public ClientOptions withHeartbeatInterval(Duration interval) {
    return new ClientOptions(
        connectTimeout, requestTimeout, interval, clientName, kdfCost, kdfFloor, pushQueueCapacity);
  }

  /** These options with another client name. */
  public ClientOptions withClientName(String name) {
    return new ClientOptions(
        connectTimeout,
        requestTimeout,
        heartbeatInterval,
        name,
        kdfCost,
        kdfFloor,
        pushQueueCapacity);
  }
}
