package dev.sotto.server.mailbox;

import java.util.Objects;

/**
 * One end-to-end encrypted message as the server relays it. The server never reads {@code
 * ciphertext}.
 *
 * @param messageId chosen by the sender
 * @param sender set by the server from the login, never taken from the client
 * @param recipient the addressee
 * @param type kind of end-to-end message
 * @param ciphertext opaque bytes (copied in and out)
 * @param serverTimeMs when the server stored it; 0 before that
 */
public record Envelope(
    MessageId messageId,
    Address sender,
    Address recipient,
    EnvelopeType type,
    byte[] ciphertext,
    long serverTimeMs) {

  public Envelope {
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(recipient, "recipient");
    Objects.requireNonNull(type, "type");
    ciphertext = Objects.requireNonNull(ciphertext, "ciphertext").clone();
  }

  @Override
  public byte[] ciphertext() {
    return ciphertext.clone();
  }

  /** Length of the ciphertext in bytes, without copying it. */
  public int ciphertextLength() {
    return ciphertext.length;
  }

  /** This envelope stamped with the server's time of storage. */
  public Envelope withServerTime(long timeMs) {
    return new Envelope(messageId, sender, recipient, type, ciphertext, timeMs);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Envelope e
        && messageId.equals(e.messageId)
        && sender.equals(e.sender)
        && recipient.equals(e.recipient)
        && type == e.type
        && java.util.Arrays.equals(ciphertext, e.ciphertext)
        && serverTimeMs == e.serverTimeMs;
  }

  @Override
  public int hashCode() {
    return Objects.hash(messageId, sender, recipient, type, serverTimeMs);
  }

  @Override
  public String toString() {
    return "Envelope["
        + messageId
        + " "
        + sender
        + " -> "
        + recipient
        + ", "
        + type
        + ", "
        + ciphertext.length
        + " bytes]";
  }
}
