package dev.sotto.server.mailbox;

import java.util.Objects;

/**
 * An envelope held in a recipient's mailbox.
 *
 * @param entryId position in the mailbox: entries of one recipient sort by it in arrival order
 * @param envelope the stored envelope, stamped with the server time
 */
public record MailboxEntry(long entryId, Envelope envelope) {
  public MailboxEntry {
    Objects.requireNonNull(envelope, "envelope");
  }
}
