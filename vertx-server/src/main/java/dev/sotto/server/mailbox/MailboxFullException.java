package dev.sotto.server.mailbox;

import dev.sotto.wire.proto.ErrorCode;

/** The recipient's mailbox is at its message or byte quota; answer {@code MAILBOX_FULL}. */
public final class MailboxFullException extends Exception {
  private static final long serialVersionUID = 1L;

  public MailboxFullException(String message) {
    super(message, null, false, false);
  }

  public ErrorCode code() {
    return ErrorCode.MAILBOX_FULL;
  }
}
