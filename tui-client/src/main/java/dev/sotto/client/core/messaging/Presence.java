package dev.sotto.client.core.messaging;

/** A user's presence (DESIGN.md "Delivery"). */
public enum Presence {
  /** Connected and available. */
  ONLINE,
  /** Connected, away from the keyboard. */
  AWAY,
  /** Do not disturb: nothing is pushed live; messages wait in the server's mailbox. */
  DND,
  /** No connection open. */
  OFFLINE
}
