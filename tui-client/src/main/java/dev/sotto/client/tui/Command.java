package dev.sotto.client.tui;

import dev.sotto.client.tui.model.Presence;
import java.util.Optional;

/** What one submitted input line asks for, as parsed by {@link CommandParser}. */
sealed interface Command {

  /** Plain text for the open conversation. */
  record Message(String text) implements Command {}

  /** {@code @user text}: one message to {@code user} without switching. */
  record SendTo(String user, String text) implements Command {}

  /** {@code !list}. */
  record ListUsers() implements Command {}

  /** {@code !talk user}. */
  record Talk(String user) implements Command {}

  /** {@code !back}. */
  record Back() implements Command {}

  /** {@code !help}. */
  record Help() implements Command {}

  /** {@code !status online|away|dnd}. */
  record Status(Presence presence) implements Command {}

  /** {@code !block [user]}; empty means the open conversation's peer. */
  record Block(Optional<String> user) implements Command {}

  /** {@code !unblock [user]}. */
  record Unblock(Optional<String> user) implements Command {}

  /** {@code !mute} / {@code !unmute} the open conversation. */
  record Mute(boolean muted) implements Command {}

  /** {@code !receipts on|off}. */
  record Receipts(boolean enabled) implements Command {}

  /** {@code !search [text]}; empty text clears the search. */
  record Search(String text) implements Command {}

  /** {@code !verify user [digits]}; digits without spaces, or empty to show the number. */
  record Verify(String user, Optional<String> digits) implements Command {}

  /** {@code !trust user}. */
  record Trust(String user) implements Command {}

  /** {@code !resetkeys}. */
  record ResetKeys() implements Command {}

  /** {@code !passwd}. */
  record Passwd() implements Command {}

  /** {@code !logout}. */
  record Logout() implements Command {}

  /** {@code !exit}. */
  record Exit() implements Command {}

  /** Not a valid command; {@code message} says why and what to type instead. */
  record Invalid(String message) implements Command {}

  /** An empty line: nothing to do. */
  record Empty() implements Command {}
}
