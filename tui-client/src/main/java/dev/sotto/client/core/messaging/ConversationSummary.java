package dev.sotto.client.core.messaging;

import java.time.Instant;
import java.util.Objects;

/**
 * One conversation in {@link Messenger#conversations()}. The unread count is kept in the local
 * store, so it survives restarts.
 *
 * @param peer the other user's canonical name
 * @param unread incoming messages not yet marked read
 * @param lastSeq the sequence number of the newest message (history is numbered from 1)
 * @param lastActivity the time of the newest message
 */
public record ConversationSummary(String peer, int unread, long lastSeq, Instant lastActivity) {
  /** Checks the fields. */
  public ConversationSummary {
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(lastActivity, "lastActivity");
    if (unread < 0 || lastSeq < 0) {
      throw new IllegalArgumentException("expected unread >= 0 and lastSeq >= 0");
    }
  }
}
