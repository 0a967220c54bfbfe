package dev.sotto.server.delivery;

import dev.sotto.server.mailbox.MailboxEntry;
import dev.sotto.server.mailbox.MessageId;
import java.util.Collection;

/** What a {@link Router} reaches: one live connection's delivery state. */
public interface LiveSession {
  /** The user whose mailbox this session drains. */
  String user();

  /** A new entry was stored durably for {@link #user()}: push it live, or note it is pending. */
  void offer(MailboxEntry entry);

  /** Entries may be waiting (for example after DND ended): read the mailbox again. */
  void resume();

  /** These ids were acked (on any connection of the user) and deleted. */
  void acked(Collection<MessageId> ids);
}
