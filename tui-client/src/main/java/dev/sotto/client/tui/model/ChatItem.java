package dev.sotto.client.tui.model;

import java.time.Instant;
import java.util.Objects;

/** One line-producing entry of a conversation's history. */
public sealed interface ChatItem {

  /** When the item happened (sent time for own messages, received time otherwise). */
  Instant time();

  /**
   * A text message.
   *
   * @param id the message id (hex of the 16-byte envelope id), unique in the conversation
   * @param sender the sender's username
   * @param text the plaintext, may contain newlines
   * @param time when it was sent (own) or received
   * @param state delivery state of an outgoing message; for incoming ones {@link
   *     DeliveryState#DELIVERED}
   * @param outgoing whether the logged-in user sent it
   */
  record Text(
      String id, String sender, String text, Instant time, DeliveryState state, boolean outgoing)
      implements ChatItem {
    public Text {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(sender, "sender");
      Objects.requireNonNull(text, "text");
      Objects.requireNonNull(time, "time");
      Objects.requireNonNull(state, "state");
    }
  }

  /**
   * Messages the ratchet counters say are missing (the server dropped or delayed them).
   *
   * @param missing how many messages are missing, at least 1
   * @param time when the gap was noticed
   */
  record Gap(int missing, Instant time) implements ChatItem {
    public Gap {
      Objects.requireNonNull(time, "time");
      if (missing < 1) {
        throw new IllegalArgumentException("missing must be >= 1, got " + missing);
      }
    }
  }

  /**
   * A message that could not be decrypted; the core has asked the sender for a session reset.
   *
   * @param sender the claimed sender
   * @param time when it was received
   */
  record Undecryptable(String sender, Instant time) implements ChatItem {
    public Undecryptable {
      Objects.requireNonNull(sender, "sender");
      Objects.requireNonNull(time, "time");
    }
  }

  /**
   * An informational line from the client itself (e.g. "bob's safety number changed").
   *
   * @param text the sentence
   * @param time when it happened
   */
  record SystemLine(String text, Instant time) implements ChatItem {
    public SystemLine {
      Objects.requireNonNull(text, "text");
      Objects.requireNonNull(time, "time");
    }
  }
}
