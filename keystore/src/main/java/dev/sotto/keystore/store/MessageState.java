package dev.sotto.keystore.store;

/** The delivery state of a message, as the client shows it. */
public enum MessageState {
  /** Outgoing, committed to the outbox, not yet acknowledged by the server. */
  PENDING,
  /** Outgoing, stored by the server (one tick). */
  SENT,
  /** Outgoing, the recipient's client reported delivery (two ticks). */
  DELIVERED,
  /** Outgoing, the recipient's client reported it read. */
  READ,
  /** Outgoing, refused for good (for example an untrusted identity or an unknown user). */
  FAILED,
  /** Incoming, not yet shown to the user. */
  RECEIVED,
  /** Incoming, shown to the user. */
  SEEN
}
