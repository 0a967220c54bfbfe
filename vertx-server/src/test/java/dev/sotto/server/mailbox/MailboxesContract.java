package dev.sotto.server.mailbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sotto.server.testing.ForwardingStore;
import dev.sotto.server.testing.MutableClock;
import dev.sotto.store.Batch;
import dev.sotto.store.Store;
import dev.sotto.wire.WireException;
import dev.sotto.wire.proto.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The behaviour every store backend must give {@link Mailboxes}; subclasses pick the store. */
abstract class MailboxesContract {
  static final byte[] MASTER = new byte[32];
  @TempDir Path dir;
  Store store;
  MutableClock clock = new MutableClock(Instant.parse("2026-11-01T10:00:00Z"));
  MailboxSealer sealer = new MailboxSealer(MASTER);
  Set<String> blocked = ConcurrentHashMap.newKeySet();
  Mailboxes mailboxes;
  private final Random random = new Random(42);

  abstract Store newStore(Path dir) throws Exception;

  /** Every map the mailboxes write (the expiry index only in data of the earlier layout). */
  static final List<String> MAILBOX_MAPS =
      List.of(
          Mailboxes.ENTRIES,
          Mailboxes.HEADS,
          Mailboxes.ACKS,
          Mailboxes.DEDUP,
          Mailboxes.EXPIRY,
          Mailboxes.USAGE);

  void assertNoMailboxRecords() {
    for (String map : MAILBOX_MAPS) {
      assertThat(store.scan(map, new byte[0], 100)).as(map).isEmpty();
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    store = newStore(dir);
    mailboxes = open(new Mailboxes.Limits(50, 1 << 20, Duration.ofDays(30), 3));
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  Mailboxes open(Mailboxes.Limits limits) throws Exception {
    return open(store, limits);
  }

  Mailboxes open(Store over, Mailboxes.Limits limits) throws Exception {
    return get(
        Mailboxes.open(
            over,
            sealer,
            (recipient, sender) -> blocked.contains(recipient + "<" + sender),
            clock,
            limits));
  }

  static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  MessageId newId() {
    byte[] b = new byte[16];
    random.nextBytes(b);
    return MessageId.of(b);
  }

  Envelope envelope(String from, String to, String body) {
    return envelope(newId(), from, to, body);
  }

  static Envelope envelope(MessageId id, String from, String to, String body) {
    return new Envelope(
        id,
        new Address(from, 1),
        new Address(to, 1),
        EnvelopeType.MESSAGE,
        body.getBytes(StandardCharsets.UTF_8),
        0);
  }

  static String body(MailboxEntry e) {
    return new String(e.envelope().ciphertext(), StandardCharsets.UTF_8);
  }

  @Test
  void store_sameMessageIdTwice_storedOnceWithFirstResult() throws Exception {
    MessageId id = newId();
    Mailboxes.StoreResult first = get(mailboxes.store(envelope(id, "alice", "bob", "hi")));
    clock.advance(Duration.ofSeconds(5));
    Mailboxes.StoreResult second = get(mailboxes.store(envelope(id, "alice", "bob", "hi")));

    assertThat(first.disposition()).isEqualTo(Mailboxes.Disposition.STORED);
    assertThat(second.disposition()).isEqualTo(Mailboxes.Disposition.DUPLICATE);
    assertThat(second.entry().entryId()).isEqualTo(first.entry().entryId());
    assertThat(second.entry().envelope().serverTimeMs())
        .isEqualTo(first.entry().envelope().serverTimeMs());
    assertThat(get(mailboxes.backlog("bob", 10)).entries()).hasSize(1);
    assertThat(get(mailboxes.usage("bob")).messages()).isEqualTo(1);
  }

  @Test
  void store_concurrentResendsOfOneId_storedOnce() throws Exception {
    MessageId id = newId();
    List<CompletableFuture<Mailboxes.StoreResult>> fs = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      fs.add(mailboxes.store(envelope(id, "alice", "bob", "same")));
    }
    long stored = 0;
    for (CompletableFuture<Mailboxes.StoreResult> f : fs) {
      stored += get(f).disposition() == Mailboxes.Disposition.STORED ? 1 : 0;
    }
    assertThat(stored).isEqualTo(1);
    assertThat(get(mailboxes.backlog("bob", 50)).entries()).hasSize(1);
  }

  @Test
  void store_idempotencyIsPerSender_otherSenderSameIdStored() throws Exception {
    MessageId id = newId();
    get(mailboxes.store(envelope(id, "alice", "bob", "a")));
    Mailboxes.StoreResult r = get(mailboxes.store(envelope(id, "carol", "bob", "c")));
    assertThat(r.disposition()).isEqualTo(Mailboxes.Disposition.STORED);
  }

  @Test
  void backlog_interleavedSenders_arrivalOrderKept() throws Exception {
    List<String> sent = new ArrayList<>();
    List<CompletableFuture<?>> fs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String from = i % 3 == 0 ? "carol" : "alice";
      String body = from + "-" + i;
      sent.add(body);
      fs.add(mailboxes.store(envelope(from, "bob", body)));
    }
    for (CompletableFuture<?> f : fs) {
      get(f);
    }
    Mailboxes.BacklogPage page = get(mailboxes.backlog("bob", 50));
    assertThat(page.entries()).extracting(MailboxesContract::body).containsExactlyElementsOf(sent);
    assertThat(page.more()).isFalse();
    assertThat(page.entries())
        .allSatisfy(e -> assertThat(e.envelope().serverTimeMs()).isEqualTo(clock.millis()));
    assertThat(get(mailboxes.backlog("bob", 10)).more()).isTrue();
    assertThat(get(mailboxes.countsBySender("bob"))).isEqualTo(Map.of("alice", 26, "carol", 14));
    assertThat(get(mailboxes.backlog("alice", 10)).entries()).isEmpty();
  }

  /** Holds the next update back, unrun, until {@link #release}. */
  static final class GatedStore extends ForwardingStore {
    private final CompletableFuture<Void> gate = new CompletableFuture<>();
    private boolean armed;

    GatedStore(Store delegate) {
      super(delegate);
    }

    synchronized void holdNext() {
      armed = true;
    }

    void release() {
      gate.complete(null);
    }

    @Override
    public <T> CompletableFuture<T> update(java.util.function.Function<Txn, T> fn) {
      boolean hold;
      synchronized (this) {
        hold = armed;
        armed = false;
      }
      return hold ? gate.thenCompose(x -> super.update(fn)) : super.update(fn);
    }
  }

  @Test
  void store_idsTakenInOneOrder_committedInTheOther_enterTheMailboxInCommitOrder()
      throws Exception {
    GatedStore gated = new GatedStore(store);
    Mailboxes m = open(gated, new Mailboxes.Limits(50, 1 << 20, Duration.ofDays(30), 3));
    gated.holdNext();
    CompletableFuture<Mailboxes.StoreResult> first = m.store(envelope("alice", "bob", "first"));
    Mailboxes.StoreResult second = get(m.store(envelope("carol", "bob", "second")));
    gated.release();
    Mailboxes.StoreResult firstResult = get(first);

    assertThat(firstResult.entry().entryId()).isGreaterThan(second.entry().entryId());
    Mailboxes.BacklogPage page = get(m.backlog("bob", 10));
    assertThat(page.entries())
        .extracting(MailboxesContract::body)
        .as("both still open under their new ids")
        .containsExactly("second", "first");
    assertThat(get(m.backlog("bob", second.entry().entryId(), 10)).entries())
        .extracting(MailboxesContract::body)
        .containsExactly("first");
    assertThat(get(m.countsBySender("bob"))).isEqualTo(Map.of("alice", 1, "carol", 1));
    assertThat(get(m.ack("bob", List.of(firstResult.entry().envelope().messageId())))).isEqualTo(1);
  }

  @Test
  void store_overMessageQuota_mailboxFullUntilAcked() throws Exception {
    Mailboxes small = open(new Mailboxes.Limits(3, 1 << 20, Duration.ofDays(30), 10));
    List<MessageId> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Envelope e = envelope("alice", "bob", "m" + i);
      ids.add(e.messageId());
      get(small.store(e));
    }
    assertThatThrownBy(() -> get(small.store(envelope("alice", "bob", "too many"))))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(WireException.class)
        .hasFieldOrPropertyWithValue("code", ErrorCode.MAILBOX_FULL);
    assertThat(get(small.store(envelope("alice", "carol", "other box"))).disposition())
        .isEqualTo(Mailboxes.Disposition.STORED);

    assertThat(get(small.ack("bob", List.of(ids.get(0))))).isEqualTo(1);
    assertThat(get(small.store(envelope("alice", "bob", "fits again"))).disposition())
        .isEqualTo(Mailboxes.Disposition.STORED);
  }

  @Test
  void store_overByteQuota_mailboxFull() throws Exception {
    Mailboxes small = open(new Mailboxes.Limits(100, 2000, Duration.ofDays(30), 10));
    get(small.store(envelope("alice", "bob", "x".repeat(1500))));
    assertThatThrownBy(() -> get(small.store(envelope("alice", "bob", "y".repeat(600)))))
        .cause()
        .isInstanceOf(WireException.class)
        .hasFieldOrPropertyWithValue("code", ErrorCode.MAILBOX_FULL);
    assertThat(get(small.usage("bob")).bytes()).isBetween(1500L, 2000L);
  }

  @Test
  void ack_deletesOnlyTheRecipientsOwnEntries() throws Exception {
    Envelope toBob = envelope("alice", "bob", "for bob");
    Envelope toCarol = envelope("alice", "carol", "for carol");
    get(mailboxes.store(toBob));
    get(mailboxes.store(toCarol));

    assertThat(get(mailboxes.ack("bob", List.of(toCarol.messageId(), newId())))).isZero();
    assertThat(get(mailboxes.backlog("carol", 10)).entries()).hasSize(1);

    assertThat(get(mailboxes.ack("bob", List.of(toBob.messageId(), toBob.messageId()))))
        .isEqualTo(1);
    assertThat(get(mailboxes.backlog("bob", 10)).entries()).isEmpty();
    assertThat(get(mailboxes.usage("bob"))).isEqualTo(new Mailboxes.Usage(0, 0));
    assertThat(get(mailboxes.ack("bob", List.of(toBob.messageId())))).isZero();

    // Idempotency lasts while the entry is held: a resend after the ack is stored again (the
    // recipient's client drops it by its message id).
    assertThat(get(mailboxes.store(toBob)).disposition()).isEqualTo(Mailboxes.Disposition.STORED);
    assertThat(get(mailboxes.backlog("bob", 10)).entries()).hasSize(1);
  }

  @Test
  void ack_leavesNoRecordOfTheMessageBehind() throws Exception {
    List<MessageId> ids = new ArrayList<>();
    Map<MessageId, Long> pushed = new java.util.HashMap<>();
    for (int i = 0; i < 6; i++) {
      Envelope e = envelope(i % 2 == 0 ? "alice" : "carol", "bob", "m" + i);
      ids.add(e.messageId());
      long entryId = get(mailboxes.store(e)).entry().entryId();
      if (i < 3) {
        pushed.put(e.messageId(), entryId); // half acked by pushed entry id, half found by scan
      }
    }
    assertThat(store.scan(Mailboxes.DEDUP, new byte[0], 100)).hasSize(6);

    assertThat(get(mailboxes.ack("bob", ids, pushed))).isEqualTo(6);
    assertNoMailboxRecords();
  }

  @Test
  void store_resendWhileHeld_duplicateEvenAfterAnotherEntryWasAcked() throws Exception {
    Envelope held = envelope("alice", "bob", "held");
    Envelope other = envelope("alice", "bob", "other");
    get(mailboxes.store(held));
    get(mailboxes.store(other));
    assertThat(get(mailboxes.ack("bob", List.of(other.messageId())))).isEqualTo(1);
    assertThat(get(mailboxes.store(held)).disposition()).isEqualTo(Mailboxes.Disposition.DUPLICATE);
    assertThat(get(mailboxes.backlog("bob", 10)).entries())
        .extracting(MailboxesContract::body)
        .containsExactly("held");
  }

  @Test
  void ack_byPushedEntryId_deletesExactlyThatEntry_otherSameIdEntryStays() throws Exception {
    MessageId id = newId();
    MailboxEntry fromAlice = get(mailboxes.store(envelope(id, "alice", "bob", "a"))).entry();
    MailboxEntry fromCarol = get(mailboxes.store(envelope(id, "carol", "bob", "c"))).entry();
    Envelope other = envelope("alice", "bob", "other");
    MailboxEntry otherEntry = get(mailboxes.store(other)).entry();

    // a pushed entry id that is not the id's entry (stale, or someone else's): nothing deleted
    assertThat(get(mailboxes.ack("bob", List.of(id), Map.of(id, otherEntry.entryId())))).isZero();
    assertThat(get(mailboxes.ack("carol", List.of(id), Map.of(id, fromAlice.entryId())))).isZero();
    assertThat(get(mailboxes.backlog("bob", 10)).entries()).hasSize(3);

    assertThat(get(mailboxes.ack("bob", List.of(id), Map.of(id, fromCarol.entryId()))))
        .isEqualTo(1);
    assertThat(get(mailboxes.backlog("bob", 10)).entries())
        .extracting(MailboxEntry::entryId)
        .containsExactly(fromAlice.entryId(), otherEntry.entryId());
    assertThat(get(mailboxes.usage("bob")).messages()).isEqualTo(2);
    // acked again by key: already gone, nothing more deleted
    assertThat(get(mailboxes.ack("bob", List.of(id), Map.of(id, fromCarol.entryId())))).isZero();

    // without a known entry id, the entries of the id are found by a scan
    assertThat(get(mailboxes.ack("bob", List.of(id)))).isEqualTo(1);
    assertThat(get(mailboxes.backlog("bob", 10)).entries())
        .extracting(MailboxEntry::entryId)
        .containsExactly(otherEntry.entryId());
    assertThat(get(mailboxes.usage("bob")).messages()).isEqualTo(1);
  }

  @Test
  void store_blockedSender_droppedAndResendStaysDropped() throws Exception {
    blocked.add("bob<mallory");
    Envelope e = envelope("mallory", "bob", "spam");
    assertThat(get(mailboxes.store(e)).disposition()).isEqualTo(Mailboxes.Disposition.DROPPED);
    assertThat(get(mailboxes.store(e)).disposition()).isEqualTo(Mailboxes.Disposition.DROPPED);
    assertThat(get(mailboxes.backlog("bob", 10)).entries()).isEmpty();
    assertThat(store.scan(Mailboxes.DEDUP, new byte[0], 10)).isEmpty();
    assertThat(get(mailboxes.countsBySender("bob"))).isEmpty();
    assertThat(get(mailboxes.store(envelope("alice", "bob", "fine"))).disposition())
        .isEqualTo(Mailboxes.Disposition.STORED);
  }

  @Test
  void sweepExpired_oldMailDeletedInBatches_newMailKept() throws Exception {
    List<Envelope> old = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Envelope e = envelope("alice", "bob", "old" + i);
      old.add(e);
      get(mailboxes.store(e));
    }
    get(mailboxes.ack("bob", List.of(old.get(0).messageId())));
    clock.advance(Duration.ofDays(20));
    get(mailboxes.store(envelope("alice", "bob", "new")));
    assertThat(get(mailboxes.sweepExpired())).isZero();

    clock.advance(Duration.ofDays(11));
    // the 9 unacked old entries, in batches of 3
    assertThat(get(mailboxes.sweepExpired())).isEqualTo(9);
    assertThat(get(mailboxes.backlog("bob", 50)).entries())
        .extracting(MailboxesContract::body)
        .containsExactly("new");
    assertThat(get(mailboxes.usage("bob")).messages()).isEqualTo(1);
    assertThat(store.scan(Mailboxes.ACKS, new byte[0], 100)).hasSize(1);
    assertThat(store.scan(Mailboxes.DEDUP, new byte[0], 100)).hasSize(1);
    // The idempotency record expired with the mail: the same id is taken as new.
    assertThat(get(mailboxes.store(old.get(3))).disposition())
        .isEqualTo(Mailboxes.Disposition.STORED);
  }

  @Test
  void sweepExpired_severalMailboxes_eachSweptToItsFirstFreshEntry() throws Exception {
    for (String to : List.of("bob", "carol", "dave")) {
      for (int i = 0; i < 4; i++) {
        get(mailboxes.store(envelope("alice", to, to + "-old" + i)));
      }
    }
    clock.advance(Duration.ofDays(31));
    get(mailboxes.store(envelope("alice", "carol", "carol-new")));
    assertThat(get(mailboxes.sweepExpired())).isEqualTo(12);
    assertThat(get(mailboxes.backlog("bob", 10)).entries()).isEmpty();
    assertThat(get(mailboxes.backlog("carol", 10)).entries())
        .extracting(MailboxesContract::body)
        .containsExactly("carol-new");
    assertThat(get(mailboxes.usage("dave"))).isEqualTo(new Mailboxes.Usage(0, 0));
    assertThat(store.scan(Mailboxes.ACKS, new byte[0], 100)).hasSize(1);
    assertThat(store.scan(Mailboxes.DEDUP, new byte[0], 100)).hasSize(1);
    assertThat(store.scan(Mailboxes.HEADS, new byte[0], 100)).as("heads are in ack rows").isEmpty();
  }

  @Test
  void headRowsOfTheEarlierLayout_countedInTheSummary_andDeletedWithTheirEntries()
      throws Exception {
    Envelope earlier = envelope("carol", "bob", "earlier layout");
    long seq = get(mailboxes.store(earlier)).entry().entryId();
    get(mailboxes.store(envelope("alice", "bob", "current layout")));
    // Rewrite the first entry's index rows as the earlier layout had them: the ack row holds the
    // dedup key only, and the sealed sender name has a row of its own.
    byte[] r = Keys.user("bob");
    byte[] ackKey = Keys.concat(r, earlier.messageId().rawBytes(), Keys.u64(seq));
    byte[] ackValue = store.get(Mailboxes.ACKS, ackKey).orElseThrow();
    assertThat(ackValue.length).isGreaterThan(16);
    get(
        store.write(
            new Batch()
                .put(Mailboxes.ACKS, ackKey, java.util.Arrays.copyOf(ackValue, 16))
                .put(
                    Mailboxes.HEADS,
                    Keys.concat(r, Keys.u64(seq)),
                    java.util.Arrays.copyOfRange(ackValue, 16, ackValue.length))));

    assertThat(get(mailboxes.countsBySender("bob"))).isEqualTo(Map.of("alice", 1, "carol", 1));
    assertThat(get(mailboxes.ack("bob", List.of(earlier.messageId())))).isEqualTo(1);
    assertThat(store.scan(Mailboxes.HEADS, new byte[0], 10)).isEmpty();
    assertThat(store.scan(Mailboxes.DEDUP, new byte[0], 10)).hasSize(1);
    assertThat(get(mailboxes.countsBySender("bob"))).isEqualTo(Map.of("alice", 1));
  }

  @Test
  void sweepExpired_rowsOfTheEarlierLayout_expiredToo() throws Exception {
    // the earlier layout: an expiry row per message, a marker as ack row value, and the
    // idempotency record kept after the ack
    Envelope held = envelope("alice", "bob", "held, old layout");
    long heldSeq = get(mailboxes.store(held)).entry().entryId();
    byte[] r = Keys.user("bob");
    byte[] heldDedup = sealer.indexKey("alice", held.messageId());
    MessageId ackedId = newId();
    byte[] ackedDedup = sealer.indexKey("alice", ackedId);
    long ackedSeq = heldSeq - 1;
    byte[] dedupValue = java.nio.ByteBuffer.allocate(17).put((byte) 0).putLong(ackedSeq).array();
    get(
        store.write(
            new Batch()
                .put(
                    Mailboxes.ACKS,
                    Keys.concat(r, held.messageId().rawBytes(), Keys.u64(heldSeq)),
                    new byte[] {1})
                .put(
                    Mailboxes.EXPIRY,
                    Keys.concat(Keys.u64(heldSeq), r),
                    Keys.concat(heldDedup, held.messageId().rawBytes()))
                .put(Mailboxes.DEDUP, ackedDedup, dedupValue)
                .put(
                    Mailboxes.EXPIRY,
                    Keys.concat(Keys.u64(ackedSeq), r),
                    Keys.concat(ackedDedup, ackedId.rawBytes()))));
    // an old-layout idempotency record still answers a resend
    assertThat(get(mailboxes.store(envelope(ackedId, "alice", "bob", "x"))).disposition())
        .isEqualTo(Mailboxes.Disposition.DUPLICATE);

    clock.advance(Duration.ofDays(31));
    assertThat(get(mailboxes.sweepExpired())).isEqualTo(2);
    assertNoMailboxRecords();
  }

  @Test
  void sweepExpired_entryThatDoesNotOpen_deletedWithItsIndexRows() throws Exception {
    get(mailboxes.store(envelope("alice", "bob", "broken")));
    Store.Entry row = store.scan(Mailboxes.ENTRIES, Keys.user("bob"), 1).get(0);
    byte[] bad = row.value();
    bad[bad.length - 1] ^= 1;
    get(store.write(new Batch().put(Mailboxes.ENTRIES, row.key(), bad)));
    clock.advance(Duration.ofDays(31));
    assertThat(get(mailboxes.sweepExpired())).isEqualTo(1);
    assertNoMailboxRecords();
  }

  @Test
  void backlog_tamperedEntry_skippedAndDiscarded() throws Exception {
    get(mailboxes.store(envelope("alice", "bob", "one")));
    get(mailboxes.store(envelope("alice", "bob", "two")));
    Store.Entry first = store.scan(Mailboxes.ENTRIES, Keys.user("bob"), 1).get(0);
    byte[] bad = first.value();
    bad[bad.length - 1] ^= 1;
    get(store.write(new Batch().put(Mailboxes.ENTRIES, first.key(), bad)));

    assertThat(get(mailboxes.backlog("bob", 10)).entries())
        .extracting(MailboxesContract::body)
        .containsExactly("two");
    // The broken entry is deleted in the background.
    for (int i = 0; i < 100 && get(mailboxes.usage("bob")).messages() != 1; i++) {
      Thread.sleep(20);
    }
    assertThat(get(mailboxes.usage("bob")).messages()).isEqualTo(1);
    assertThat(store.scan(Mailboxes.ACKS, new byte[0], 100)).hasSize(1);
    assertThat(store.scan(Mailboxes.DEDUP, new byte[0], 100)).hasSize(1);
  }

  @Test
  void store_highWaterMarkReservedAheadOfTheClock_notWrittenPerMessage() throws Exception {
    byte[] seqKey = "seq".getBytes(StandardCharsets.US_ASCII);
    long last = 0;
    for (int i = 0; i < 20; i++) {
      last = get(mailboxes.store(envelope("alice", "bob", "m" + i))).entry().entryId();
    }
    long reserved = Keys.readU64(store.get(Mailboxes.STATE, seqKey).orElseThrow(), 0);
    assertThat(reserved)
        .isGreaterThan(last)
        .isEqualTo((clock.millis() + Mailboxes.SEQ_RESERVE_MS) << Mailboxes.SEQ_SHIFT);
    clock.advance(Duration.ofSeconds(30)); // still inside the reservation: not rewritten
    get(mailboxes.store(envelope("alice", "bob", "later")));
    assertThat(Keys.readU64(store.get(Mailboxes.STATE, seqKey).orElseThrow(), 0))
        .isEqualTo(reserved);
    clock.advance(Duration.ofSeconds(60)); // past it: a new reservation
    long past = get(mailboxes.store(envelope("alice", "bob", "past"))).entry().entryId();
    assertThat(Keys.readU64(store.get(Mailboxes.STATE, seqKey).orElseThrow(), 0))
        .isGreaterThan(past)
        .isGreaterThan(reserved);
    // a reopen continues above everything handed out
    Mailboxes reopened = open(Mailboxes.Limits.defaults());
    assertThat(get(reopened.store(envelope("alice", "bob", "after"))).entry().entryId())
        .isGreaterThan(past);
  }

  @Test
  void open_clockWentBack_entryIdsStillIncrease() throws Exception {
    Mailboxes.StoreResult before = get(mailboxes.store(envelope("alice", "bob", "before")));
    clock.advance(Duration.ofHours(-2));
    Mailboxes reopened = open(Mailboxes.Limits.defaults());
    Mailboxes.StoreResult after = get(reopened.store(envelope("alice", "bob", "after")));
    assertThat(after.entry().entryId()).isGreaterThan(before.entry().entryId());
    assertThat(get(reopened.backlog("bob", 10)).entries())
        .extracting(MailboxesContract::body)
        .containsExactly("before", "after");
  }

  @Test
  void store_storeHoldsNoPlaintextNorSenderName() throws Exception {
    String marker = "PLAINTEXT-MARKER-7f3a9c";
    get(mailboxes.store(envelope("zed-sender", "bob", marker)));
    byte[] needle = marker.getBytes(StandardCharsets.UTF_8);
    byte[] sender = "zed-sender".getBytes(StandardCharsets.UTF_8);
    for (String map : MAILBOX_MAPS) {
      for (Store.Entry e : store.scan(map, new byte[0], 1000)) {
        assertThat(MailboxSealerTest.indexOf(e.value(), needle)).isEqualTo(-1);
        assertThat(MailboxSealerTest.indexOf(e.value(), sender)).isEqualTo(-1);
        assertThat(MailboxSealerTest.indexOf(e.key(), sender)).isEqualTo(-1);
      }
    }
  }
}
