package dev.sotto.client.core.messaging;

import java.time.Instant;
import java.util.Objects;

/**
 * One message of a conversation, as the local store holds it.
 *
 * @param peer the conversation: the other user's canonical name
 * @param seq its position in the conversation, from 1 (local commit order)
 * @param id the sender's message id
 * @param direction received or sent
 * @param sender the sender's canonical name
 * @param timestamp when this client committed it (sent or received)
 * @param sentAt the sender's clock when it was sent (for an incoming message the peer's clock;
 *     equal to {@code timestamp} when unknown)
 * @param kind what it is; only {@link Kind#TEXT} has a meaningful {@code text}
 * @param text the text, or {@code ""} for the other kinds
 * @param state its delivery or read state
 */
public record Message(
    String peer,
    long seq,
    MessageId id,
    Direction direction,
    String sender,
    Instant timestamp,
    Instant sentAt,
    Kind kind,
    String text,
    MessageState state) {

  /** Whether a message was received or sent. */
  public enum Direction {
    /** From the peer. */
    INCOMING,
    /** From this account. */
    OUTGOING
  }

  /** What a history entry holds. */
  public enum Kind {
    /** A text message. */
    TEXT,
    /**
     * A message that could not be decrypted (the client asked the sender's client for a session
     * reset). Show it as "a message could not be decrypted".
     */
    UNDECRYPTABLE,
    /** A message of a newer kind or version: show "this message needs a newer Sotto". */
    UNSUPPORTED
  }

  /** Checks the fields. */
  public Message {
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(sentAt, "sentAt");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(state, "state");
  }

  /** Whether the peer sent it. */
  public boolean incoming() {
    return direction == Direction.INCOMING;
  }

  /** This message in another state. */
  public Message withState(MessageState newState) {
    return new Message(peer, seq, id, direction, sender, timestamp, sentAt, kind, text, newState);
  }

  /** Shows ids and sizes, never the text. */
  @Override
  public String toString() {
    return "Message["
        + peer
        + "#"
        + seq
        + " "
        + direction
        + " "
        + kind
        + " id="
        + id
        + " "
        + text.length()
        + " chars "
        + state
        + "]";
  }
}
