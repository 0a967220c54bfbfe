package dev.sotto.server.mailbox;

/**
 * A sealed mailbox entry did not open: it was altered, moved to another user or position, or sealed
 * under another master key.
 */
public final class CorruptEntryException extends Exception {
  private static final long serialVersionUID = 1L;

  public CorruptEntryException(String message, Throwable cause) {
    super(message, cause);
  }
}
