package dev.sotto.server.mailbox;

/** What kind of end-to-end message an envelope carries; the server does not look inside. */
public enum EnvelopeType {
  /** A first message of a PQXDH session. */
  PRE_KEY_MESSAGE,
  /** A Double Ratchet message. */
  MESSAGE
}
