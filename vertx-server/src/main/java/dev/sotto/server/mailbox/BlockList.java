package dev.sotto.server.mailbox;

/** Answers whether a recipient has blocked a sender; consulted for every stored envelope. */
@FunctionalInterface
public interface BlockList {
  /** Nobody has blocked anybody. */
  BlockList NONE = (recipient, sender) -> false;

  /** True when {@code recipient} has blocked {@code sender}. Must be quick and not block. */
  boolean isBlocked(String recipient, String sender);
}
