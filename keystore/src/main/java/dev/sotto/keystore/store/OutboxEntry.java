package dev.sotto.keystore.store;

import dev.sotto.keystore.ProtocolAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A ciphertext committed for sending and not yet acknowledged by the server. After a reconnect the
 * client resends exactly these bytes (the server is idempotent on sender and message id).
 *
 * @param seq position in the outbox, from 1, in commit order
 * @param recipient the recipient device
 * @param messageId the 16-byte message id
 * @param ciphertext the end-to-end ciphertext, as sent; copied in and out
 * @param createdAtMillis when it was committed (epoch milliseconds)
 */
public record OutboxEntry(
    long seq,
    ProtocolAddress recipient,
    byte[] messageId,
    byte[] ciphertext,
    long createdAtMillis) {
  /** Validates and copies the fields. */
  public OutboxEntry {
    Objects.requireNonNull(recipient, "recipient");
    HistoryEntry.checkMessageId(messageId);
    if (seq < 1) {
      throw new IllegalArgumentException("expected seq >= 1, got " + seq);
    }
    messageId = messageId.clone();
    ciphertext = Objects.requireNonNull(ciphertext, "ciphertext").clone();
  }

  @Override
  public byte[] messageId() {
    return messageId.clone();
  }

  @Override
  public byte[] ciphertext() {
    return ciphertext.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OutboxEntry e
        && seq == e.seq
        && recipient.equals(e.recipient)
        && Arrays.equals(messageId, e.messageId)
        && Arrays.equals(ciphertext, e.ciphertext)
        && createdAtMillis == e.createdAtMillis;
  }

  @Override
  public int hashCode() {
    return Objects.hash(seq, recipient, Arrays.hashCode(messageId));
  }

  @Override
  public String toString() {
    return "OutboxEntry[#"
        + seq
        + " to "
        + recipient
        + " id="
        + HexFormat.of().formatHex(messageId)
        + " "
        + ciphertext.length
        + " bytes]";
  }
}
