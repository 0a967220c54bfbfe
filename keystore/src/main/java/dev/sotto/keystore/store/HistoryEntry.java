package dev.sotto.keystore.store;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One message of a conversation's history.
 *
 * @param conversation the conversation id
 * @param seq its position in the conversation, from 1, assigned by the store in commit order
 * @param messageId the 16-byte id the sender chose
 * @param direction received or sent
 * @param sender the sender's account name
 * @param timestampMillis when it was sent or received (epoch milliseconds), as the client decides
 * @param content the decrypted end-to-end content (opaque to the store); copied in and out
 */
public record HistoryEntry(
    String conversation,
    long seq,
    byte[] messageId,
    Direction direction,
    String sender,
    long timestampMillis,
    byte[] content) {
  /** Length of a message id. */
  public static final int MESSAGE_ID_LENGTH = 16;

  /** Validates and copies the fields. */
  public HistoryEntry {
    Objects.requireNonNull(conversation, "conversation");
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(sender, "sender");
    checkMessageId(messageId);
    if (seq < 1) {
      throw new IllegalArgumentException("expected seq >= 1, got " + seq);
    }
    messageId = messageId.clone();
    content = Objects.requireNonNull(content, "content").clone();
  }

  @Override
  public byte[] messageId() {
    return messageId.clone();
  }

  @Override
  public byte[] content() {
    return content.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HistoryEntry h
        && conversation.equals(h.conversation)
        && seq == h.seq
        && Arrays.equals(messageId, h.messageId)
        && direction == h.direction
        && sender.equals(h.sender)
        && timestampMillis == h.timestampMillis
        && Arrays.equals(content, h.content);
  }

  @Override
  public int hashCode() {
    return Objects.hash(conversation, seq, Arrays.hashCode(messageId), direction);
  }

  @Override
  public String toString() {
    return "HistoryEntry["
        + conversation
        + "#"
        + seq
        + " "
        + direction
        + " id="
        + HexFormat.of().formatHex(messageId)
        + " "
        + content.length
        + " bytes]";
  }

  static void checkMessageId(byte[] id) {
    Objects.requireNonNull(id, "messageId");
    if (id.length != MESSAGE_ID_LENGTH) {
      throw new IllegalArgumentException(
          "expected a " + MESSAGE_ID_LENGTH + "-byte message id, got " + id.length);
    }
  }
}
