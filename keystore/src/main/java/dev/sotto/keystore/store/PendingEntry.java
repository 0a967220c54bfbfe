package dev.sotto.keystore.store;

import dev.sotto.keystore.ProtocolAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A message the client committed but cannot process yet, kept sealed in the local store until it
 * can: a text to send that waits for a session (the server was away when it was written), or a
 * received ciphertext from a contact whose identity changed, waiting for the user to accept it.
 *
 * @param seq position, from 1, in commit order (shared with the outbox's sequence)
 * @param kind what the entry waits for
 * @param peer the recipient (a send) or the sender's device (a receive)
 * @param messageId the 16-byte message id
 * @param payload the plaintext {@code Content} (a send) or the ciphertext as received (a receive);
 *     copied in and out
 * @param createdAtMillis when it was committed (epoch milliseconds)
 */
public record PendingEntry(
    long seq,
    PendingEntry.Kind kind,
    ProtocolAddress peer,
    byte[] messageId,
    byte[] payload,
    long createdAtMillis) {

  /** What a pending entry waits for. */
  public enum Kind {
    /** An outgoing plaintext waiting for a session with its recipient. */
    SEND,
    /** An incoming ciphertext waiting for the user to trust its sender's new identity. */
    RECEIVE
  }

  /** Validates and copies the fields. */
  public PendingEntry {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(peer, "peer");
    HistoryEntry.checkMessageId(messageId);
    if (seq < 1) {
      throw new IllegalArgumentException("expected seq >= 1, got " + seq);
    }
    messageId = messageId.clone();
    payload = Objects.requireNonNull(payload, "payload").clone();
  }

  @Override
  public byte[] messageId() {
    return messageId.clone();
  }

  @Override
  public byte[] payload() {
    return payload.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PendingEntry e
        && seq == e.seq
        && kind == e.kind
        && peer.equals(e.peer)
        && Arrays.equals(messageId, e.messageId)
        && Arrays.equals(payload, e.payload)
        && createdAtMillis == e.createdAtMillis;
  }

  @Override
  public int hashCode() {
    return Objects.hash(seq, kind, peer, Arrays.hashCode(messageId));
  }

  /** Names the entry without its payload. */
  @Override
  public String toString() {
    return "PendingEntry[#"
        + seq
        + " "
        + kind
        + " "
        + peer
        + " id="
        + HexFormat.of().formatHex(messageId)
        + " "
        + payload.length
        + " bytes]";
  }
}
