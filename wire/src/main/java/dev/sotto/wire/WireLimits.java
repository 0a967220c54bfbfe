package dev.sotto.wire;

import dev.sotto.wire.proto.Limits;

/**
 * The fixed numbers of protocol version 1: frame sizes, timeouts and field sizes that server and
 * client both enforce. The server announces the frame and timeout values in {@code Welcome} and
 * {@code LoginOk} through {@link #toProto()}.
 */
public final class WireLimits {
  /** The protocol version this module speaks. */
  public static final int PROTOCOL_VERSION = 1;

  /** Largest frame body, in bytes, accepted before a successful login (16 KiB). */
  public static final int MAX_FRAME_BEFORE_LOGIN = 16 * 1024;

  /** Largest frame body, in bytes, accepted after a successful login (1 MiB). */
  public static final int MAX_FRAME_AFTER_LOGIN = 1024 * 1024;

  /** Largest ciphertext of one envelope, in bytes (256 KiB). */
  public static final int MAX_MESSAGE_BYTES = 256 * 1024;

  /** How often a client pings. */
  public static final int HEARTBEAT_INTERVAL_MS = 30_000;

  /** A connection silent for this long is closed. */
  public static final int IDLE_TIMEOUT_MS = 90_000;

  /** A connection that has not logged in within this time is closed. */
  public static final int LOGIN_TIMEOUT_MS = 10_000;

  /** Size of an envelope's message id. */
  public static final int MESSAGE_ID_BYTES = 16;

  /** Size of an account's auth key ({@code HKDF(master, "Sotto_Auth_v1")}). */
  public static final int AUTH_KEY_BYTES = 32;

  /** Size of a server id. */
  public static final int SERVER_ID_BYTES = 16;

  /** Shortest password a client accepts (the server never sees it). */
  public static final int MIN_PASSWORD_LENGTH = 10;

  /** Longest {@code Hello.client} string, in characters. */
  public static final int MAX_CLIENT_NAME = 64;

  /** Most names in one {@code WatchPresence}: the users one connection is pushed presence of. */
  public static final int MAX_WATCHED_USERS = 1_000;

  private WireLimits() {}

  /** The limits as announced in {@code Welcome.limits} and {@code LoginOk.limits}. */
  public static Limits toProto() {
    return Limits.newBuilder()
        .setMaxFrameBeforeLogin(MAX_FRAME_BEFORE_LOGIN)
        .setMaxFrameAfterLogin(MAX_FRAME_AFTER_LOGIN)
        .setHeartbeatIntervalMs(HEARTBEAT_INTERVAL_MS)
        .setIdleTimeoutMs(IDLE_TIMEOUT_MS)
        .setLoginTimeoutMs(LOGIN_TIMEOUT_MS)
        .setMaxMessageBytes(MAX_MESSAGE_BYTES)
        .build();
  }
}
