package dev.sotto.keystore.store;

import java.util.Objects;

/**
 * Summary of one conversation's history.
 *
 * @param name the conversation id (the peer's account name; room ids later)
 * @param lastSeq the sequence number of the newest history entry, 0 if none
 * @param unread how many incoming entries the user has not seen
 * @param lastActivityMillis the timestamp of the newest entry (epoch milliseconds), 0 if none
 */
public record Conversation(String name, long lastSeq, int unread, long lastActivityMillis) {
  /** Validates the fields. */
  public Conversation {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("expected a non-empty conversation name");
    }
    if (lastSeq < 0 || unread < 0) {
      throw new IllegalArgumentException("expected lastSeq >= 0 and unread >= 0");
    }
  }
}
