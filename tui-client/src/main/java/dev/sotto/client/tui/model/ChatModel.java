package dev.sotto.client.tui.model;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Everything the main screen reads and does, implemented by the client core through an adapter.
 *
 * <p>Snapshot getters are called on the UI thread and must return at once from memory (never do
 * disk or network work in them). Actions return futures that complete on any thread; a future that
 * completes exceptionally carries an exception whose {@link Throwable#getMessage()} is a sentence
 * for the user (it is shown on screen as is). Listeners are called on any thread.
 *
 * <p>The TUI touches the model only after {@link LoginController#login} returned {@link
 * LoginResult.LoggedIn}: it then adds its listener, and removes it after {@link #logout()}. The
 * same instance serves the next login.
 */
public interface ChatModel {

  /** Receives change notices; called on any thread, must not block. */
  @FunctionalInterface
  interface Listener {
    /** Something changed; re-read the matching snapshot. */
    void onChange(ModelChange change);
  }

  /** The logged-in account. */
  Account account();

  /** The connection to the server. */
  ConnectionState connection();

  /** The logged-in user's own presence. */
  Presence presence();

  /** The conversations in list order (the UI numbers them 1..n in this order). */
  List<Conversation> conversations();

  /**
   * The loaded history of a conversation, oldest first; empty until {@link
   * #openConversation(String)} has loaded it.
   */
  List<ChatItem> messages(String peer);

  /** Adds a listener. */
  void addListener(Listener listener);

  /** Removes a listener. */
  void removeListener(Listener listener);

  /**
   * Opens (and creates when new) the conversation with {@code peer}, loads its history and fires
   * {@link ModelChange.MessagesChanged}. Fails when the user does not exist.
   */
  CompletableFuture<Void> openConversation(String peer);

  /**
   * Marks everything in the conversation read (the unread count drops to 0 and, when read receipts
   * are on, the core sends them).
   */
  CompletableFuture<Void> markRead(String peer);

  /**
   * Sends a text message. The returned future completes when the message is committed to the outbox
   * (the item then shows as SENDING); later states arrive as {@link ModelChange.MessagesChanged}.
   * Fails at once when the peer's safety number changed and was not trusted.
   */
  CompletableFuture<Void> send(String peer, String text);

  /** All users of the server with their presence. */
  CompletableFuture<List<UserInfo>> listUsers();

  /** Sets the user's own presence. */
  CompletableFuture<Void> setPresence(Presence presence);

  /** Blocks a user (enforced by the server). */
  CompletableFuture<Void> block(String user);

  /** Unblocks a user. */
  CompletableFuture<Void> unblock(String user);

  /** Mutes or unmutes a conversation (local only: no bell). */
  CompletableFuture<Void> setMuted(String peer, boolean muted);

  /** Turns read receipts on or off, at once and for later logins (the choice is saved). */
  CompletableFuture<Void> setReadReceipts(boolean enabled);

  /** The safety number with {@code user}, as 12 groups of 5 digits separated by spaces. */
  CompletableFuture<String> safetyNumber(String user);

  /**
   * Compares digits read out by {@code user} with the safety number (spaces ignored).
   *
   * @return whether they match
   */
  CompletableFuture<Boolean> verify(String user, String digits);

  /** Accepts {@code user}'s current identity key; sending to them is allowed again. */
  CompletableFuture<Void> trust(String user);

  /** Makes a new identity (contacts will see a changed safety number). */
  CompletableFuture<Void> resetKeys();

  /**
   * Changes the account password. The arrays are the caller's: the implementation may read them
   * only until the future completes; the UI wipes them afterwards.
   */
  CompletableFuture<Void> changePassword(char[] oldPassword, char[] newPassword);

  /** Logs out and closes the connection; the login screen follows. */
  CompletableFuture<Void> logout();
}
