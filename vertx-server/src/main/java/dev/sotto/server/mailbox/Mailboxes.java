package dev.sotto.server.mailbox;

import dev.sotto.store.Store;
import dev.sotto.wire.WireException;
import dev.sotto.wire.proto.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-user mailboxes of undelivered envelopes, sealed at rest, on the journaled {@link Store}.
 *
 * <p>Every method returns at once; its future completes on the store's writer thread once the
 * change is durable (group commit), so an acknowledgement built on it means "on disk".
 * Continuations must be quick and must not block.
 *
 * <p>Store layout (R = length-prefixed recipient name, seq = entry id, u64 big-endian):
 *
 * <ul>
 *   <li>{@code mailbox.entries}: R || seq -> sealed envelope (a prefix scan of R is arrival order)
 *   <li>{@code mailbox.acks}: R || message id || seq -> dedup key || sealed sender name: finds an
 *       entry by its message id, names the idempotency record to delete with it, and gives the
 *       per-sender counts of the login summary without opening whole envelopes
 *   <li>{@code mailbox.dedup}: dedup key = keyed hash of (sender, message id) -> first result
 *       (flag, seq, time), for as long as the entry is held
 *   <li>{@code mailbox.usage}: R -> message count and bytes, for the quota (and the list of
 *       mailboxes the expiry sweep walks)
 * </ul>
 *
 * <p>Idempotency lasts as long as the server holds the message: a resend while the entry waits (the
 * common case: the {@code Stored} answer was lost with the connection or a crash of the server) is
 * answered {@code DUPLICATE} and not stored again. Once the recipient has acked the entry, all its
 * records go, so a message that is delivered while its recipient is online leaves nothing behind:
 * its records are written and deleted within one checkpoint interval of the store and never reach
 * MapDB's B-tree (measured: keeping a per-message idempotency and expiry record for the retention
 * time was most of the server's CPU per message). A resend that arrives after the ack is stored and
 * delivered again; the recipient's client drops it silently (it knows the message id, and the
 * ratchet refuses a message key used once), which it must do anyway because the server is not
 * trusted against replays. A message to a recipient who blocked the sender leaves no record either:
 * a resend is dropped again while the block lasts.
 *
 * <p>Data written before this layout may also hold {@code mailbox.expiry} rows (seq || R -> dedup
 * key || message id) and idempotency records of acked mail, which the sweep still expires, and
 * {@code mailbox.heads} rows (R || seq -> sealed sender name) beside ack rows that hold only the
 * dedup key (or a one-byte marker): the summary reads those heads, and deletes remove them. The
 * sender name moved into the ack row to save each message a record written and deleted (and, for
 * mail that waits past a checkpoint, a MapDB insert and delete).
 *
 * <p>Entry ids are {@code (store time in ms << 16) + counter}, strictly increasing across the
 * process (and across restarts, through a durable high-water mark), so per (sender, recipient) the
 * order of {@link #store} calls is the order of the mailbox.
 */
public final class Mailboxes {
  private static final Logger logger = LoggerFactory.getLogger(Mailboxes.class);

  static final String ENTRIES = "mailbox.entries";
  static final String HEADS = "mailbox.heads";
  static final String ACKS = "mailbox.acks";
  static final String DEDUP = "mailbox.dedup";
  static final String EXPIRY = "mailbox.expiry";
  static final String USAGE = "mailbox.usage";
  static final String STATE = "mailbox.state";
  private static final byte[] SEQ_KEY = "seq".getBytes(StandardCharsets.US_ASCII);
  private static final int DEDUP_KEY_LEN = 16;
  static final int SEQ_SHIFT = 16;
  static final long SEQ_RESERVE_MS = 60_000;
  private static final byte PART_BODY = 1;
  private static final byte PART_HEAD = 2;

  /** Upper bound on entries that share one message id in one mailbox (ids are random). */
  private static final int MAX_SAME_ID = 8;

  /**
   * Quotas and retention.
   *
   * @param maxMessages envelopes one mailbox may hold
   * @param maxBytes sealed bytes one mailbox may hold
   * @param retention how long undelivered mail (and the idempotency record) is kept
   * @param sweepBatch entries deleted per store update by the expiry sweep
   */
  public record Limits(int maxMessages, long maxBytes, Duration retention, int sweepBatch) {
    public Limits {
      if (maxMessages < 1 || maxBytes < 1 || sweepBatch < 1) {
        throw new IllegalArgumentException("mailbox limits must be positive");
      }
      Objects.requireNonNull(retention, "retention");
    }

    /** 10,000 messages, 100 MiB, 30 days, sweeps of 500. */
    public static Limits defaults() {
      return new Limits(10_000, 100L << 20, Duration.ofDays(30), 500);
    }
  }

  /** What {@link #store} did with an envelope. */
  public enum Disposition {
    /** Stored for delivery. */
    STORED,
    /** A resend of an envelope already taken; nothing new stored. */
    DUPLICATE,
    /** The recipient blocked the sender: recorded as taken but not stored. */
    DROPPED
  }

  /**
   * The outcome of {@link #store}.
   *
   * @param entry the entry as stored (for {@code DUPLICATE}: with the first call's id and time)
   */
  public record StoreResult(Disposition disposition, MailboxEntry entry) {}

  /** A page of a mailbox, oldest first; {@code more} when the page was full. */
  public record BacklogPage(List<MailboxEntry> entries, boolean more) {
    public BacklogPage {
      entries = List.copyOf(entries);
    }
  }

  /** How much of its quota a mailbox uses. */
  public record Usage(long messages, long bytes) {}

  private final Store store;
  private final MailboxSealer sealer;
  private final BlockList blockList;
  private final Clock clock;
  private final Limits limits;
  private final AtomicLong lastSeq;

  /** The durable high-water mark as last written (only read and written on the store's writer). */
  private long reservedSeq;

  /**
   * The largest entry id put into any mailbox; read and written only inside {@link Store#update}
   * functions, which run one at a time on the store's writer. {@link #store} takes ids and queues
   * their updates in one step, so they reach the writer in id order; should an update still come
   * after one with a larger id (a store whose updates do not run in call order), it takes a new id
   * there. Entries thus enter every mailbox in id order, which lets a reader page through a mailbox
   * by id (see {@link #backlog(String, long, int)}) without missing an entry that was committed
   * after it read past a larger id.
   */
  private long committedSeq;

  /** Held while an id is taken, sealed under and queued (see {@link #store}). */
  private final Object idOrder = new Object();

  /** Where the caller wants its store futures completed (null: the store's own thread). */
  private final Supplier<Executor> completions;

  private Mailboxes(
      Store store,
      MailboxSealer sealer,
      BlockList blockList,
      Clock clock,
      Limits limits,
      long highWater,
      Supplier<Executor> completions) {
    this.store = store;
    this.completions = completions;
    this.sealer = sealer;
    this.blockList = blockList;
    this.clock = clock;
    this.limits = limits;
    this.lastSeq = new AtomicLong(highWater);
    this.reservedSeq = highWater;
    this.committedSeq = highWater;
  }

  /** Opens the mailboxes kept in {@code store}, reading the durable entry-id high-water mark. */
  public static CompletableFuture<Mailboxes> open(
      Store store, MailboxSealer sealer, BlockList blockList, Clock clock, Limits limits) {
    return open(store, sealer, blockList, clock, limits, () -> null);
  }

  /**
   * As {@link #open(Store, MailboxSealer, BlockList, Clock, Limits)}; the futures of {@link
   * #store}, {@link #ack} and {@link #backlog} complete on the executor {@code completions} gives
   * at the call (the calling event loop, so that the reply and the push need no extra thread
   * switch), or on the store's completion thread when it gives null.
   */
  public static CompletableFuture<Mailboxes> open(
      Store store,
      MailboxSealer sealer,
      BlockList blockList,
      Clock clock,
      Limits limits,
      Supplier<Executor> completions) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(completions, "completions");
    Objects.requireNonNull(sealer, "sealer");
    Objects.requireNonNull(blockList, "blockList");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(limits, "limits");
    return store
        .update(txn -> txn.get(STATE, SEQ_KEY).map(b -> Keys.readU64(b, 0)).orElse(0L))
        .thenApply(hw -> new Mailboxes(store, sealer, blockList, clock, limits, hw, completions));
  }

  /** The limits these mailboxes enforce. */
  public Limits limits() {
    return limits;
  }

  /**
   * Makes the durable high-water mark cover {@code seq} (writer thread, inside the store's update).
   * Rather than writing every entry id, it reserves ids up to {@link #SEQ_RESERVE_MS} ahead of the
   * clock, so the mark is written about once a minute under steady traffic; after a restart ids
   * continue from the reservation (at most that far ahead of the clock, which nothing depends on).
   */
  private void reserveSeq(Store.Txn txn, long seq, long nowMs) {
    if (seq <= reservedSeq) {
      return;
    }
    long reserve = Math.max(seq, (nowMs + SEQ_RESERVE_MS) << SEQ_SHIFT);
    txn.put(STATE, SEQ_KEY, Keys.u64(reserve));
    reservedSeq = reserve;
  }

  private long nextSeq(long nowMs) {
    long floor = nowMs << SEQ_SHIFT;
    return lastSeq.accumulateAndGet(floor, (last, f) -> Math.max(last + 1, f));
  }

  /**
   * Seals {@code envelope} and stores it in its recipient's mailbox; idempotent on (sender, message
   * id). When the recipient has blocked the sender nothing is stored, but the result is recorded so
   * that a resend behaves the same; the sender must be shown the same answer as for {@code STORED}.
   *
   * @return completes once durable; fails with a {@link WireException} {@code MAILBOX_FULL} at the
   *     quota, or a {@link dev.sotto.store.StoreException}
   */
  public CompletableFuture<StoreResult> store(Envelope envelope) {
    String recipient = envelope.recipient().user();
    String sender = envelope.sender().user();
    long now = clock.millis();
    Envelope stamped = envelope.withServerTime(now);
    byte[] dedupKey = sealer.indexKey(sender, envelope.messageId());
    boolean drop = blockList.isBlocked(recipient, sender);
    byte[] plain = drop ? null : EnvelopeCodec.toBytes(stamped);
    MailboxSealer.UserKey key = drop ? null : sealer.keyFor(recipient);
    CompletableFuture<StoreResult> stored;
    // The id is taken, sealed under and queued in one step, so that the writer sees ids in order
    // (see committedSeq): taken apart, threads paused between the steps sent 14-68% of W1's
    // entries through a second sealing on the writer. Sealing a chat message takes microseconds.
    synchronized (idOrder) {
      long seq = nextSeq(now);
      byte[] body = drop ? null : key.seal(entryId(seq, PART_BODY), plain);
      byte[] head =
          drop ? null : key.seal(entryId(seq, PART_HEAD), sender.getBytes(StandardCharsets.UTF_8));
      stored =
          update(txn -> storeInTxn(txn, envelope, stamped, dedupKey, drop, seq, body, head, now));
    }
    return stored.thenCompose(
        result ->
            result != null
                ? CompletableFuture.completedFuture(result)
                : CompletableFuture.failedFuture(
                    new WireException(
                        ErrorCode.MAILBOX_FULL,
                        "The mailbox of " + recipient + " is full; try again later.")));
  }

  /** A store update completing where {@link #completions} says. */
  private <T> CompletableFuture<T> update(Function<Store.Txn, T> fn) {
    Executor executor = completions.get();
    return executor == null ? store.update(fn) : store.update(fn, executor);
  }

  /** The store's part of {@link #store}, on the writer; null when the mailbox is full. */
  private StoreResult storeInTxn(
      Store.Txn txn,
      Envelope envelope,
      Envelope stamped,
      byte[] dedupKey,
      boolean drop,
      long seq,
      byte[] body,
      byte[] head,
      long now) {
    String recipient = envelope.recipient().user();
    String sender = envelope.sender().user();
    byte[] r = Keys.user(recipient);
    byte[] msgId = envelope.messageId().rawBytes();
    Optional<byte[]> prior = txn.get(DEDUP, dedupKey);
    if (prior.isPresent()) {
      ByteBuffer b = ByteBuffer.wrap(prior.get());
      b.get();
      long firstSeq = b.getLong();
      long firstTime = b.getLong();
      return new StoreResult(
          Disposition.DUPLICATE, new MailboxEntry(firstSeq, envelope.withServerTime(firstTime)));
    }
    if (drop) {
      return new StoreResult(Disposition.DROPPED, new MailboxEntry(seq, stamped));
    }
    Usage u = usage(txn, r);
    if (u.messages() + 1 > limits.maxMessages() || u.bytes() + body.length > limits.maxBytes()) {
      return null;
    }
    long id = seq;
    byte[] sealedBody = body;
    byte[] sealedHead = head;
    if (id <= committedSeq) {
      // An update with a larger id committed first: take the next id instead (entries enter
      // each mailbox in id order; see committedSeq), and seal again, since the id is in the
      // sealing's associated data.
      id = lastSeq.accumulateAndGet(committedSeq, (last, c) -> Math.max(last, c) + 1);
      MailboxSealer.UserKey key = sealer.keyFor(recipient);
      sealedBody = key.seal(entryId(id, PART_BODY), EnvelopeCodec.toBytes(stamped));
      sealedHead = key.seal(entryId(id, PART_HEAD), sender.getBytes(StandardCharsets.UTF_8));
    }
    committedSeq = id;
    byte[] ek = Keys.concat(r, Keys.u64(id));
    txn.put(ENTRIES, ek, sealedBody);
    txn.put(ACKS, Keys.concat(r, msgId, Keys.u64(id)), Keys.concat(dedupKey, sealedHead));
    putUsage(txn, r, u.messages() + 1, u.bytes() + sealedBody.length);
    txn.put(
        DEDUP, dedupKey, ByteBuffer.allocate(17).put((byte) 0).putLong(id).putLong(now).array());
    reserveSeq(txn, id, now);
    return new StoreResult(Disposition.STORED, new MailboxEntry(id, stamped));
  }

  /**
   * Up to {@code limit} entries of {@code recipient}'s mailbox, oldest first. An entry that does
   * not open (tampered with, or sealed under another master key) is logged, left out and deleted.
   */
  public CompletableFuture<BacklogPage> backlog(String recipient, int limit) {
    return backlog(recipient, 0, limit);
  }

  /**
   * As {@link #backlog(String, int)}, for the entries whose id is greater than {@code afterId} (0:
   * from the start). Entries enter a mailbox in id order, so a reader that has seen every entry up
   * to some id can resume after it.
   */
  public CompletableFuture<BacklogPage> backlog(String recipient, long afterId, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
    if (afterId < 0 || afterId == Long.MAX_VALUE) {
      throw new IllegalArgumentException("afterId out of range: " + afterId);
    }
    byte[] r = Keys.user(recipient);
    byte[] from = Keys.concat(r, Keys.u64(afterId + 1));
    return update(txn -> txn.scan(ENTRIES, r, from, limit))
        .thenApply(
            rows -> {
              MailboxSealer.UserKey key = sealer.keyFor(recipient);
              List<MailboxEntry> out = new ArrayList<>(rows.size());
              List<Long> corrupt = new ArrayList<>();
              for (Store.Entry row : rows) {
                long seq = Keys.readU64(row.key(), r.length);
                try {
                  byte[] plain = key.open(entryId(seq, PART_BODY), row.value());
                  out.add(new MailboxEntry(seq, EnvelopeCodec.fromBytes(plain)));
                } catch (CorruptEntryException | java.io.IOException e) {
                  logger.error(
                      "Mailbox entry {} does not open ({}); discarding it", seq, e.toString());
                  corrupt.add(seq);
                }
              }
              if (!corrupt.isEmpty()) {
                discard(r, corrupt);
              }
              return new BacklogPage(out, rows.size() == limit);
            });
  }

  /** Deletes entries that do not open (see {@link #deleteUnopenable}), in the background. */
  private void discard(byte[] r, List<Long> seqs) {
    store
        .update(
            txn -> {
              long[] released = new long[2];
              deleteUnopenable(txn, r, seqs, released);
              release(txn, r, released[0], released[1]);
              return released[0];
            })
        .whenComplete(
            (n, err) -> {
              if (err != null) {
                logger.warn("Could not discard corrupt mailbox entries: {}", err.toString());
              }
            });
  }

  /**
   * How many entries of {@code recipient}'s mailbox each sender has, for the login summary (sorted
   * by sender name).
   */
  public CompletableFuture<Map<String, Integer>> countsBySender(String recipient) {
    byte[] r = Keys.user(recipient);
    return store
        .update(
            txn -> {
              List<Store.Entry> heads = new ArrayList<>();
              for (Store.Entry row : txn.scan(ACKS, r, ackIndexBound())) {
                byte[] seq = Arrays.copyOfRange(row.key(), row.key().length - 8, row.key().length);
                byte[] v = row.value();
                if (v.length > DEDUP_KEY_LEN) {
                  heads.add(new Store.Entry(seq, Arrays.copyOfRange(v, DEDUP_KEY_LEN, v.length)));
                } else { // earlier layout: the head has its own row
                  txn.get(HEADS, Keys.concat(r, seq))
                      .ifPresent(h -> heads.add(new Store.Entry(seq, h)));
                }
              }
              return heads;
            })
        .thenApply(
            rows -> {
              MailboxSealer.UserKey key = sealer.keyFor(recipient);
              Map<String, Integer> counts = new TreeMap<>();
              for (Store.Entry row : rows) {
                long seq = Keys.readU64(row.key(), 0);
                try {
                  String sender =
                      new String(
                          key.open(entryId(seq, PART_HEAD), row.value()), StandardCharsets.UTF_8);
                  counts.merge(sender, 1, Integer::sum);
                } catch (CorruptEntryException e) {
                  logger.error("Mailbox head {} does not open; not counted", seq);
                }
              }
              return counts;
            });
  }

  /**
   * Deletes the entries with these message ids from {@code recipient}'s own mailbox (never anyone
   * else's). Unknown ids are ignored. Completes with the number of entries deleted, once durable.
   */
  public CompletableFuture<Integer> ack(String recipient, Collection<MessageId> messageIds) {
    return ack(recipient, messageIds, Map.of());
  }

  /**
   * As {@link #ack(String, Collection)}, where the entry ids of some of the messages are known
   * (those pushed on the acking connection): those are deleted by key, which never reads MapDB for
   * an entry that has not reached it; for the others, every entry with the id is found by a scan.
   *
   * @param pushed message id to the entry id that was pushed for it (only that entry is deleted)
   */
  public CompletableFuture<Integer> ack(
      String recipient, Collection<MessageId> messageIds, Map<MessageId, Long> pushed) {
    byte[] r = Keys.user(recipient);
    List<MessageId> ids = List.copyOf(new LinkedHashSet<>(messageIds));
    Map<MessageId, Long> known = Map.copyOf(pushed);
    return update(
        txn -> {
          long[] released = new long[2]; // entries, bytes
          for (MessageId id : ids) {
            Long pushedSeq = known.get(id);
            if (pushedSeq != null) {
              byte[] ackKey = Keys.concat(r, id.rawBytes(), Keys.u64(pushedSeq));
              Optional<byte[]> ackRow = txn.get(ACKS, ackKey);
              if (ackRow.isPresent()) {
                deleteAcked(txn, r, ackKey, ackRow.get(), pushedSeq, released);
              }
              continue;
            }
            for (Store.Entry row : txn.scan(ACKS, Keys.concat(r, id.rawBytes()), MAX_SAME_ID)) {
              long seq = Keys.readU64(row.key(), row.key().length - 8);
              deleteAcked(txn, r, row.key(), row.value(), seq, released);
            }
          }
          release(txn, r, (int) released[0], released[1]);
          return (int) released[0];
        });
  }

  /**
   * Deletes entry {@code seq} of mailbox {@code r}, its ack index row and its idempotency record
   * (named by the ack row's first 16 bytes; a one-byte marker in rows written before the
   * idempotency record was dropped with the entry), and the head row of the earlier layouts, whose
   * ack rows are at most 16 bytes long; counts what it freed.
   */
  private static void deleteAcked(
      Store.Txn txn, byte[] r, byte[] ackKey, byte[] ackValue, long seq, long[] released) {
    deleteEntry(txn, r, seq, released, ackValue.length <= DEDUP_KEY_LEN);
    txn.delete(ACKS, ackKey);
    if (ackValue.length >= DEDUP_KEY_LEN) {
      txn.delete(DEDUP, Arrays.copyOf(ackValue, DEDUP_KEY_LEN));
    }
  }

  /** Deletes the body of entry {@code seq} of mailbox {@code r} and its head row, if there. */
  private static void deleteEntry(Store.Txn txn, byte[] r, long seq, long[] released) {
    deleteEntry(txn, r, seq, released, true);
  }

  /**
   * Deletes the body of entry {@code seq} of mailbox {@code r}, if there, and its separate head row
   * if {@code headRow} (entries of the earlier layout, or when the ack row is not at hand).
   */
  private static void deleteEntry(
      Store.Txn txn, byte[] r, long seq, long[] released, boolean headRow) {
    byte[] ek = Keys.concat(r, Keys.u64(seq));
    Optional<byte[]> body = txn.get(ENTRIES, ek);
    if (body.isPresent()) {
      txn.delete(ENTRIES, ek);
      if (headRow) {
        txn.delete(HEADS, ek);
      }
      released[0]++;
      released[1] += body.get().length;
    }
  }

  /**
   * Deletes entries {@code seqs} of mailbox {@code r}, whose bodies do not open, with their ack
   * index rows and idempotency records: their message ids are inside the broken bodies, so the ack
   * rows are found by a walk of the mailbox's ack index (bounded by its quota; this only runs when
   * something was damaged).
   */
  private void deleteUnopenable(Store.Txn txn, byte[] r, Collection<Long> seqs, long[] released) {
    Set<Long> wanted = new HashSet<>(seqs);
    for (Store.Entry row : txn.scan(ACKS, r, ackIndexBound())) {
      long seq = Keys.readU64(row.key(), row.key().length - 8);
      if (wanted.remove(seq)) {
        deleteAcked(txn, r, row.key(), row.value(), seq, released);
      }
    }
    for (long seq : wanted) { // no ack row: delete the entry alone
      deleteEntry(txn, r, seq, released);
    }
  }

  /** Most ack index rows one mailbox can have: one per entry, entries bounded by the quota. */
  private int ackIndexBound() {
    return limits.maxMessages() + MAX_SAME_ID;
  }

  /** The current quota use of {@code recipient}'s mailbox. */
  public CompletableFuture<Usage> usage(String recipient) {
    byte[] r = Keys.user(recipient);
    return store.update(txn -> usage(txn, r));
  }

  /**
   * Deletes mail older than the retention time, with its index rows and idempotency records, in
   * batches of {@link Limits#sweepBatch()} per store update so other writes interleave. Completes
   * with the number of entries expired (and, in data from before the current layout, idempotency
   * records of acked mail). Run it periodically (for example hourly).
   *
   * <p>The mailboxes to look at are the ones with quota use; in each, entries are in arrival order,
   * so the walk stops at the first one still within the retention time.
   */
  public CompletableFuture<Integer> sweepExpired() {
    long cutoff = (clock.millis() - limits.retention().toMillis()) << SEQ_SHIFT;
    return sweepLegacyRound(cutoff, 0)
        .thenCompose(
            legacy ->
                store
                    .update(txn -> txn.scan(USAGE, Keys.EMPTY, Integer.MAX_VALUE))
                    .thenCompose(rows -> sweepMailboxes(rows, 0, cutoff, legacy)))
        .thenApply(
            n -> {
              if (n > 0) {
                logger.info("Expired {} mailbox records", n);
              }
              return n;
            });
  }

  private CompletableFuture<Integer> sweepMailboxes(
      List<Store.Entry> mailboxes, int index, long cutoff, int total) {
    if (index == mailboxes.size()) {
      return CompletableFuture.completedFuture(total);
    }
    byte[] r = mailboxes.get(index).key();
    return sweepMailbox(r, cutoff)
        .thenCompose(
            n ->
                n == limits.sweepBatch()
                    ? sweepMailboxes(mailboxes, index, cutoff, total + n)
                    : sweepMailboxes(mailboxes, index + 1, cutoff, total + n));
  }

  /** Expires up to one batch of the oldest entries of mailbox {@code r}. */
  private CompletableFuture<Integer> sweepMailbox(byte[] r, long cutoff) {
    return store.update(
        txn -> {
          long[] released = new long[2];
          int n = 0;
          MailboxSealer.UserKey key = null;
          List<Long> unopenable = new ArrayList<>();
          for (Store.Entry row : txn.scan(ENTRIES, r, limits.sweepBatch())) {
            long seq = Keys.readU64(row.key(), r.length);
            if (seq >= cutoff) {
              break;
            }
            n++;
            if (key == null) {
              key = sealer.keyFor(new String(r, 1, r.length - 1, StandardCharsets.UTF_8));
            }
            byte[] ackKey;
            try {
              Envelope e = EnvelopeCodec.fromBytes(key.open(entryId(seq, PART_BODY), row.value()));
              ackKey = Keys.concat(r, e.messageId().rawBytes(), Keys.u64(seq));
            } catch (CorruptEntryException | java.io.IOException e) {
              logger.warn("Expired mailbox entry {} does not open ({})", seq, e.toString());
              unopenable.add(seq);
              continue;
            }
            Optional<byte[]> ackRow = txn.get(ACKS, ackKey);
            if (ackRow.isPresent()) {
              deleteAcked(txn, r, ackKey, ackRow.get(), seq, released);
            } else {
              deleteEntry(txn, r, seq, released);
            }
          }
          if (!unopenable.isEmpty()) {
            deleteUnopenable(txn, r, unopenable, released);
          }
          release(txn, r, released[0], released[1]);
          return n;
        });
  }

  /** The sweep of {@code mailbox.expiry}, which only data from before the current layout has. */
  private CompletableFuture<Integer> sweepLegacyRound(long cutoff, int total) {
    return store
        .update(
            txn -> {
              List<Store.Entry> rows = txn.scan(EXPIRY, Keys.EMPTY, limits.sweepBatch());
              Map<ByteBuffer, long[]> released = new TreeMap<>();
              int n = 0;
              for (Store.Entry row : rows) {
                long seq = Keys.readU64(row.key(), 0);
                if (seq >= cutoff) {
                  break;
                }
                byte[] r = Arrays.copyOfRange(row.key(), 8, row.key().length);
                byte[] dedupKey = Arrays.copyOfRange(row.value(), 0, 16);
                byte[] msgId = Arrays.copyOfRange(row.value(), 16, 32);
                deleteEntry(
                    txn, r, seq, released.computeIfAbsent(ByteBuffer.wrap(r), k -> new long[2]));
                txn.delete(ACKS, Keys.concat(r, msgId, Keys.u64(seq)));
                txn.delete(DEDUP, dedupKey);
                txn.delete(EXPIRY, row.key());
                n++;
              }
              for (Map.Entry<ByteBuffer, long[]> e : released.entrySet()) {
                release(txn, e.getKey().array(), e.getValue()[0], e.getValue()[1]);
              }
              return n;
            })
        .thenCompose(
            n ->
                n == limits.sweepBatch()
                    ? sweepLegacyRound(cutoff, total + n)
                    : CompletableFuture.completedFuture(total + n));
  }

  private static Usage usage(Store.Txn txn, byte[] r) {
    return txn.get(USAGE, r)
        .map(b -> new Usage(Keys.readU64(b, 0), Keys.readU64(b, 8)))
        .orElse(new Usage(0, 0));
  }

  private static void putUsage(Store.Txn txn, byte[] r, long messages, long bytes) {
    if (messages <= 0) {
      txn.delete(USAGE, r);
    } else {
      txn.put(USAGE, r, Keys.concat(Keys.u64(messages), Keys.u64(Math.max(0, bytes))));
    }
  }

  private static void release(Store.Txn txn, byte[] r, long messages, long bytes) {
    if (messages == 0) {
      return;
    }
    Usage u = usage(txn, r);
    putUsage(txn, r, u.messages() - messages, u.bytes() - bytes);
  }

  private static byte[] entryId(long seq, byte part) {
    return ByteBuffer.allocate(9).putLong(seq).put(part).array();
  }
}
