package dev.sotto.client.tui.model;

import java.time.Instant;
import java.util.Objects;

/**
 * One entry of the conversation list (a contact; rooms come later).
 *
 * @param peer the other user's username
 * @param unread messages received and not yet read
 * @param presence the peer's presence
 * @param muted whether the user muted this conversation (no bell)
 * @param lastActivity time of the newest message, or {@link Instant#EPOCH} when there is none
 * @param safetyNumberChanged whether the peer's identity key changed and was not trusted yet;
 *     sending is refused until {@link ChatModel#trust(String)}
 */
public record Conversation(
    String peer,
    int unread,
    Presence presence,
    boolean muted,
    Instant lastActivity,
    boolean safetyNumberChanged) {
  public Conversation {
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(presence, "presence");
    Objects.requireNonNull(lastActivity, "lastActivity");
    if (unread < 0) {
      throw new IllegalArgumentException("unread must be >= 0, got " + unread);
    }
  }
}
