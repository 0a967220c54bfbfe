package dev.sotto.client.core;

import dev.sotto.wire.proto.Frame;

/**
 * Receives what the server sends without being asked (frames with request id 0) and the end of the
 * connection. Called on the connection's single dispatch thread, in arrival order, never on the
 * reader thread: a listener may make requests on the same connection. Pushes wait in a bounded
 * queue; while it is full the reader stops reading, which slows the server down (backpressure).
 */
public interface PushListener {

  /** Ignores everything. */
  PushListener NONE = new PushListener() {};

  /** A push from the server (a message, a presence change, a prekey warning...). */
  default void onPush(Frame push) {}

  /**
   * The connection ended. Called once, after every earlier push.
   *
   * @param cause why: a {@link ConnectionClosedException}; its message says whether we closed it
   */
  default void onClosed(ConnectionClosedException cause) {}
}
