package dev.sotto.client.tui.model;

/** Where an outgoing message is on its way to the recipient (DESIGN.md "Delivery"). */
public enum DeliveryState {
  /** Encrypted and in the outbox; the server has not acknowledged it yet. */
  SENDING,
  /** The server acknowledged it (one tick). */
  STORED,
  /** The recipient's client sent a delivery receipt (two ticks). */
  DELIVERED,
  /** The recipient's client sent a read receipt. */
  READ,
  /** Sending failed for good (e.g. the recipient does not exist). */
  FAILED
}
