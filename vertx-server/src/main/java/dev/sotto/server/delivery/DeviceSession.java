package dev.sotto.server.delivery;

import dev.sotto.server.mailbox.MailboxEntry;
import dev.sotto.server.mailbox.Mailboxes;
import dev.sotto.server.mailbox.MessageId;
import dev.sotto.server.presence.Presence;
import dev.sotto.server.presence.PresenceRegistry;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivery state of one connection: which entries it has been pushed and not yet acked, and whether
 * the mailbox may hold entries it has not seen.
 *
 * <p>Order: a live entry is pushed directly only when nothing older is waiting (no scan running,
 * nothing pending); otherwise it is marked pending and the next mailbox scan, which reads in
 * arrival order, pushes it after the older ones. Every push happens under this object's lock, so
 * the pushes of one connection never interleave.
 *
 * <p>A push the connection refuses (its write queue is full) stops the scan until {@link #resume};
 * during the login backlog, {@code BacklogDone} waits for it too, so it always follows every entry
 * that was waiting at login (unless DND holds them or the unacked window is full).
 *
 * <p>Flow control: at most {@code maxInFlight} pushed-but-unacked entries; the mailbox is read in
 * pages of {@code pageSize} as acks come in. Each read resumes after {@link #cursor} (entries enter
 * a mailbox in id order), so draining a backlog of n entries reads about n entries, not n times the
 * unacked window. An entry pushed and then expired by the sweep is never acked and keeps its slot
 * until the connection closes (after 30 days of one connection); a client that never acks stalls
 * only its own connection, and a reconnect starts afresh.
 */
final class DeviceSession implements LiveSession {
  private static final Logger logger = LoggerFactory.getLogger(DeviceSession.class);

  /** Ids acked during one page read that are tracked; past it the page is read again. */
  static final int MAX_ACKED_DURING_SCAN = 4096;

  private final DeviceConnection connection;
  private final String user;
  private final Mailboxes mailboxes;
  private final PresenceRegistry presence;
  private final int pageSize;
  private final int maxInFlight;
  private final CompletableFuture<Void> backlogDone = new CompletableFuture<>();

  // Guarded by this.
  /** Pushed and not yet acked: message id to mailbox entry id (the first such entry). */
  private final Map<MessageId, Long> inFlight = new HashMap<>();

  private boolean scanning;

  /**
   * An entry waits because another entry with its message id (from another sender) is in flight:
   * the ack of that id frees it, so the ack triggers a read of the mailbox.
   */
  private boolean behindSameId;

  private boolean pending = true;

  /**
   * Every entry of the mailbox with an id up to this one has been pushed on this connection or
   * deleted (0: none yet); reads start after it. It moves only over a page's leading run of entries
   * that were pushed or deleted, so an entry left in the mailbox (held behind another entry with
   * its message id, or not pushed because the window filled or the connection refused) is read
   * again.
   */
  private long cursor;

  /**
   * The ids acked while a page was being read. A page is read by one store update and handled when
   * its future completes, which can be on the thread that started the scan, after later updates (an
   * ack's delete) have completed: the page may then hold entries that ack deleted and took out of
   * {@link #inFlight}. Those are left out of the page: for an id that was in flight, the entry that
   * was pushed (the ack deleted that one only); otherwise every entry with the id (the ack deleted
   * them all). Bounded: past {@link #MAX_ACKED_DURING_SCAN} ids the page is dropped and read again
   * instead. (Dropping every page that an ack overlapped, as first done, made a backlog drain whose
   * client acks all the time read most pages twice.)
   */
  private final Map<MessageId, Long> ackedDuringScan = new HashMap<>();

  private boolean ackedDuringScanOverflow;
  private boolean doneSent;
  private boolean closed;

  DeviceSession(
      DeviceConnection connection,
      Mailboxes mailboxes,
      PresenceRegistry presence,
      int pageSize,
      int maxInFlight) {
    this.connection = connection;
    this.user = connection.address().user();
    this.mailboxes = mailboxes;
    this.presence = presence;
    this.pageSize = pageSize;
    this.maxInFlight = maxInFlight;
  }

  @Override
  public String user() {
    return user;
  }

  DeviceConnection connection() {
    return connection;
  }

  /** Sends the per-sender counts, then starts pushing the backlog. */
  CompletableFuture<Void> start() {
    synchronized (this) {
      scanning = true;
    }
    mailboxes
        .countsBySender(user)
        .whenComplete(
            (counts, err) -> {
              synchronized (this) {
                if (!closed) {
                  if (err != null) {
                    logger.warn("Backlog count for a login failed: {}", err.toString());
                  } else {
                    connection.pushBacklogSummary(counts);
                  }
                }
                scanning = false;
              }
              scanIfNeeded();
            });
    return backlogDone;
  }

  private boolean held() {
    return presence.presence(user) == Presence.DND;
  }

  @Override
  public void offer(MailboxEntry entry) {
    boolean scan;
    synchronized (this) {
      if (closed) {
        return;
      }
      if (inFlight.containsKey(entry.envelope().messageId())) {
        behindSameId = true;
        return;
      }
      if (!scanning && !pending && !held() && inFlight.size() < maxInFlight) {
        if (connection.push(entry.envelope())) {
          inFlight.put(entry.envelope().messageId(), entry.entryId());
          return;
        }
      }
      pending = true;
      scan = !scanning;
    }
    if (scan) {
      scanIfNeeded();
    }
  }

  @Override
  public void resume() {
    synchronized (this) {
      pending = true;
    }
    scanIfNeeded();
  }

  @Override
  public void acked(Collection<MessageId> ids) {
    synchronized (this) {
      for (MessageId id : ids) {
        Long pushedSeq = inFlight.remove(id); // null: the ack deleted every entry with the id
        if (scanning && !ackedDuringScanOverflow) {
          ackedDuringScan.put(id, pushedSeq);
          ackedDuringScanOverflow = ackedDuringScan.size() > MAX_ACKED_DURING_SCAN;
        }
      }
      if (behindSameId) {
        behindSameId = false;
        pending = true;
      }
    }
    scanIfNeeded();
  }

  void close() {
    synchronized (this) {
      closed = true;
    }
    backlogDone.complete(null);
  }

  private void scanIfNeeded() {
    int limit;
    long after;
    synchronized (this) {
      if (closed || scanning || !pending) {
        return;
      }
      if (held() || inFlight.size() >= maxInFlight) {
        sendDoneOnce();
        return;
      }
      scanning = true;
      pending = false;
      ackedDuringScan.clear();
      ackedDuringScanOverflow = false;
      // The unacked entries after the cursor come back too (they are skipped): read past them.
      int ahead = 0;
      for (long seq : inFlight.values()) {
        if (seq > cursor) {
          ahead++;
        }
      }
      limit = ahead + Math.min(pageSize, maxInFlight - inFlight.size());
      after = cursor;
    }
    mailboxes.backlog(user, after, limit).whenComplete(this::onPage);
  }

  private void onPage(Mailboxes.BacklogPage page, Throwable err) {
    boolean again;
    synchronized (this) {
      scanning = false;
      if (closed) {
        return;
      }
      if (err != null) {
        logger.warn("Reading a mailbox failed; will retry on the next event: {}", err.toString());
        pending = true;
        return;
      }
      if (ackedDuringScanOverflow) {
        // Read before more acks than are tracked: it may hold entries they deleted.
        pending = true;
        again = true;
      } else {
        again = pushPage(page);
      }
      ackedDuringScan.clear();
    }
    if (again) {
      scanIfNeeded();
    }
  }

  /** Pushes a page in order; returns whether to read again at once. Caller holds the lock. */
  private boolean pushPage(Mailboxes.BacklogPage page) {
    boolean stalled = false;
    boolean refused = false;
    boolean leading = true; // every entry of the page so far was pushed or deleted
    for (MailboxEntry e : page.entries()) {
      MessageId id = e.envelope().messageId();
      if (ackedDuringScan.containsKey(id)) {
        Long deletedSeq = ackedDuringScan.get(id);
        if (deletedSeq == null || deletedSeq == e.entryId()) {
          cursor = leading ? e.entryId() : cursor;
          continue; // deleted by an ack handled while this page was read
        }
      }
      Long inFlightSeq = inFlight.get(id);
      if (inFlightSeq != null) {
        if (inFlightSeq == e.entryId()) {
          cursor = leading ? e.entryId() : cursor; // pushed already
        } else {
          behindSameId = true; // waits for the ack of the one in flight
          leading = false;
        }
        continue;
      }
      if (held() || inFlight.size() >= maxInFlight) {
        stalled = true;
        break;
      }
      if (!connection.push(e.envelope())) {
        stalled = true;
        refused = true;
        break;
      }
      inFlight.put(id, e.entryId());
      cursor = leading ? e.entryId() : cursor;
    }
    if (stalled || page.more()) {
      pending = true;
    }
    // A connection that refused a push (write queue full) is resumed once it drains; the
    // backlog is not done until then. Held (DND) or at the unacked window, it is done: the
    // client must see BacklogDone to start acking.
    if ((!pending || stalled) && !refused) {
      sendDoneOnce();
    }
    return pending && !stalled;
  }

  /** Caller holds the lock. */
  private void sendDoneOnce() {
    if (!doneSent) {
      doneSent = true;
      connection.pushBacklogDone();
      backlogDone.complete(null);
    }
  }

  /**
   * The mailbox entry ids of those of {@code ids} that were pushed on this connection and not yet
   * acked, so that their ack finds the entry by key instead of by a scan.
   */
  synchronized Map<MessageId, Long> pushedSeqs(Collection<MessageId> ids) {
    Map<MessageId, Long> out = new HashMap<>();
    for (MessageId id : ids) {
      Long seq = inFlight.get(id);
      if (seq != null) {
        out.put(id, seq);
      }
    }
    return out;
  }

  synchronized int inFlightCount() {
    return inFlight.size();
  }
}
