package dev.sotto.keystore.store;

/** Whether a history entry was received or sent. */
public enum Direction {
  /** Received from the peer. */
  INCOMING,
  /** Sent by this user. */
  OUTGOING
}
