package dev.sotto.server.delivery;

import dev.sotto.server.mailbox.Address;
import dev.sotto.server.mailbox.Envelope;
import java.util.Map;

/**
 * One logged-in connection, as delivery sees it; implemented by the networking layer.
 *
 * <p>Every method is called from store or caller threads, never from the connection's event loop,
 * and must not block: hand the frame to the connection's context (for Vert.x, {@code
 * context.runOnContext}) and return. Calls for one connection are made one at a time, in the order
 * the frames must go out.
 */
public interface DeviceConnection {
  /** The authenticated user and device of this connection. */
  Address address();

  /**
   * Queues a {@code MessagePush}. Returns false when the connection cannot take it (closed, or its
   * write queue is full); the envelope then stays in the mailbox and is pushed later.
   */
  boolean push(Envelope envelope);

  /** Queues the {@code BacklogSummary} (undelivered count per sender) sent right after login. */
  void pushBacklogSummary(Map<String, Integer> countsBySender);

  /** Queues {@code BacklogDone}: everything held at login has been pushed (or is held by DND). */
  void pushBacklogDone();
}
