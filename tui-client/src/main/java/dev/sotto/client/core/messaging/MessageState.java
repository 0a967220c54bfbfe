package dev.sotto.client.core.messaging;

/** Where a message is: the ticks of an outgoing one, seen or not for an incoming one. */
public enum MessageState {
  /** Outgoing: encrypted and committed to the outbox; the server has not acknowledged it. */
  SENDING,
  /** Outgoing: the server stored it (one tick). */
  STORED,
  /** Outgoing: the recipient's client reported delivery (two ticks). */
  DELIVERED,
  /** Outgoing: the recipient's client reported it read. */
  READ,
  /** Outgoing: refused for good. */
  FAILED,
  /** Incoming: not yet marked read ({@link Messenger#markRead}). */
  UNREAD,
  /** Incoming: marked read. */
  SEEN;

  /** Whether this is a state of an outgoing message. */
  public boolean outgoing() {
    return this != UNREAD && this != SEEN;
  }
}
