package dev.sotto.client.core.messaging;

import dev.sotto.client.core.ClientOptions;
import dev.sotto.client.core.ClientPaths;
import dev.sotto.client.core.ServerAddress;
import dev.sotto.client.core.ServerTrust;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how a {@link Messenger} runs.
 *
 * @param server the server
 * @param trust how its certificate is accepted (the first-use prompt is asked at most at the first
 *     connect; reconnects accept only the pinned key)
 * @param client connection and key-derivation options
 * @param paths where the local store lives: {@code accountDir(server, user)/store}
 * @param allowNewIdentity whether a login on a machine without a local store for the account may
 *     make a new identity (contacts then see a changed safety number). When false such a login
 *     fails with {@link dev.sotto.keystore.store.NoLocalStoreException}; ask the user first ({@link
 *     Messenger#hasLocalStore}) or use {@code import}.
 * @param sendReadReceipts whether {@link Messenger#markRead} tells the sender (delivery receipts
 *     are always sent)
 * @param reconnectInitial the first reconnect delay; it doubles per failed attempt
 * @param reconnectMax the largest reconnect delay
 * @param preKeyCount one-time prekeys of each kind made at registration and per top-up (100)
 * @param receiving whether to take messages from the server. False for short CLI commands ({@code
 *     send}, {@code list}...): pushed messages are then left unacknowledged, so the server keeps
 *     them for the next client that receives ({@code receive}, the TUI) instead of their landing
 *     unseen in the local store. Presence and prekey pushes are handled either way.
 */
public record MessengerConfig(
    ServerAddress server,
    ServerTrust trust,
    ClientOptions client,
    ClientPaths paths,
    boolean allowNewIdentity,
    boolean sendReadReceipts,
    Duration reconnectInitial,
    Duration reconnectMax,
    int preKeyCount,
    boolean receiving) {

  /** Prekeys made per batch by default (DESIGN.md). */
  public static final int DEFAULT_PREKEY_COUNT = 100;

  /** Checks the values. */
  public MessengerConfig {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(trust, "trust");
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(paths, "paths");
    Objects.requireNonNull(reconnectInitial, "reconnectInitial");
    Objects.requireNonNull(reconnectMax, "reconnectMax");
    if (reconnectInitial.isNegative()
        || reconnectInitial.isZero()
        || reconnectMax.compareTo(reconnectInitial) < 0) {
      throw new IllegalArgumentException("expected 0 < reconnectInitial <= reconnectMax");
    }
    if (preKeyCount < 1 || preKeyCount > 1000) {
      throw new IllegalArgumentException("expected 1..1000 prekeys, got " + preKeyCount);
    }
  }

  /**
   * Defaults: no new identity without consent, read receipts on, reconnect after 1 s doubling up to
   * 60 s, 100 prekeys.
   */
  public static MessengerConfig of(
      ServerAddress server, ServerTrust trust, ClientOptions client, ClientPaths paths) {
    return new MessengerConfig(
        server,
        trust,
        client,
        paths,
        false,
        true,
        Duration.ofSeconds(1),
        Duration.ofSeconds(60),
        DEFAULT_PREKEY_COUNT,
        true);
  }

  /** This config with {@code allowNewIdentity} set. */
  public MessengerConfig withAllowNewIdentity(boolean allow) {
    return new MessengerConfig(
        server,
        trust,
        client,
        paths,
        allow,
        sendReadReceipts,
        reconnectInitial,
        reconnectMax,
        preKeyCount,
        receiving);
  }

  /** This config with read receipts on or off. */
  public MessengerConfig withReadReceipts(boolean send) {
    return new MessengerConfig(
        server,
        trust,
        client,
        paths,
        allowNewIdentity,
        send,
        reconnectInitial,
        reconnectMax,
        preKeyCount,
        receiving);
  }

  /** This config with other reconnect delays. */
  public MessengerConfig withReconnect(Duration initial, Duration max) {
    return new MessengerConfig(
        server,
        trust,
        client,
        paths,
        allowNewIdentity,
        sendReadReceipts,
        initial,
        max,
        preKeyCount,
        receiving);
  }

  /** This config with another prekey batch size (tests use fewer). */
  public MessengerConfig withPreKeyCount(int count) {
    return new MessengerConfig(
        server,
        trust,
        client,
        paths,
        allowNewIdentity,
        sendReadReceipts,
        reconnectInitial,
        reconnectMax,
        count,
        receiving);
  }

  /** This config with receiving on or off. */
  public MessengerConfig withReceiving(boolean receive) {
    return new MessengerConfig(
        server,
        trust,
        client,
        paths,
        allowNewIdentity,
        sendReadReceipts,
        reconnectInitial,
        reconnectMax,
        preKeyCount,
        receive);
  }
}
