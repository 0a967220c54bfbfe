/**
 * Per-user mailboxes of undelivered envelopes on the journaled {@link dev.sotto.store.Store}.
 *
 * <p>Every envelope is sealed ({@link dev.sotto.server.mailbox.MailboxSealer}: AES-256-GCM under a
 * per-user key derived from the server master key) before it reaches the store, so neither the
 * journal nor MapDB holds an envelope in the clear. {@link dev.sotto.server.mailbox.Mailboxes}
 * keeps arrival order per recipient, is idempotent on (sender, message id), enforces quotas and
 * expires old mail.
 */
package dev.sotto.server.mailbox;
