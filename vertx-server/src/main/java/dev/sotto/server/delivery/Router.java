package dev.sotto.server.delivery;

import dev.sotto.server.mailbox.MailboxEntry;
import dev.sotto.server.mailbox.MessageId;
import java.util.Collection;

/**
 * Reaches the live connections of a user. {@link LocalRouter} does it in one process; when one
 * machine is outgrown, an implementation over the Vert.x event bus (clustered with Hazelcast) can
 * take its place: it would keep the local sessions as {@link LocalRouter} does and publish each
 * call to the node holding the user's connections, since every method here is a one-way
 * notification whose outcome is decided from durable mailbox state.
 */
public interface Router {
  /** Adds a live session. */
  void register(LiveSession session);

  /** Removes a live session. */
  void unregister(LiveSession session);

  /** Offers a durably stored entry to every live session of its recipient. */
  void deliver(MailboxEntry entry);

  /** Asks every live session of {@code user} to read its mailbox again. */
  void resume(String user);

  /** Tells every live session of {@code user} that these ids were acked and deleted. */
  void acked(String user, Collection<MessageId> ids);

  /** Number of live sessions of {@code user} (on this node, for an in-process router). */
  int sessions(String user);
}
