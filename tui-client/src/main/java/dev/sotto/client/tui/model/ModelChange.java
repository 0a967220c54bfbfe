package dev.sotto.client.tui.model;

import java.util.Objects;

/** What changed in a {@link ChatModel}; the UI re-reads the matching snapshot. */
public sealed interface ModelChange {

  /** {@link ChatModel#connection()} or {@link ChatModel#presence()} changed. */
  record ConnectionChanged() implements ModelChange {}

  /** {@link ChatModel#conversations()} changed (unread counts, presence, order, flags). */
  record ConversationsChanged() implements ModelChange {}

  /**
   * {@link ChatModel#messages(String)} of {@code peer} changed (history loaded, state ticks).
   *
   * @param peer the conversation
   */
  record MessagesChanged(String peer) implements ModelChange {
    public MessagesChanged {
      Objects.requireNonNull(peer, "peer");
    }
  }

  /**
   * A new incoming item arrived in {@code peer}'s conversation (the UI may ring the bell).
   *
   * @param peer the conversation
   * @param item the new item, already part of {@link ChatModel#messages(String)}
   */
  record Arrived(String peer, ChatItem item) implements ModelChange {
    public Arrived {
      Objects.requireNonNull(peer, "peer");
      Objects.requireNonNull(item, "item");
    }
  }

  /**
   * Something the user should read that belongs to no conversation (a background problem, what
   * waited in the mailbox, a setting that takes effect later).
   *
   * @param text the sentence
   */
  record Notice(String text) implements ModelChange {
    public Notice {
      Objects.requireNonNull(text, "text");
    }
  }
}
