package dev.sotto.server.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sotto.server.mailbox.Address;
import dev.sotto.server.mailbox.Envelope;
import dev.sotto.server.mailbox.EnvelopeType;
import dev.sotto.server.mailbox.Mailboxes;
import dev.sotto.server.mailbox.MessageId;
import dev.sotto.server.presence.Presence;
import dev.sotto.server.presence.PresenceRegistry;
import dev.sotto.server.testing.ForwardingStore;
import dev.sotto.server.testing.InMemoryStore;
import dev.sotto.store.Store;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Schedules of {@link DeviceSession} that a thread pause can make and a seeded run hits only by
 * luck, made deterministic by holding a store answer back.
 */
class DeviceSessionTest {

  /**
   * A store whose next {@code update} runs at once on the writer thread but whose answer reaches
   * the caller only on {@link #release}: what a caller sees when it is paused between submitting a
   * read and attaching its callback while the writer runs on.
   */
  static final class HoldingStore extends ForwardingStore {
    final java.util.concurrent.atomic.AtomicInteger updates =
        new java.util.concurrent.atomic.AtomicInteger();

    /** Rows returned by the scans of update functions. */
    final java.util.concurrent.atomic.AtomicLong rowsScanned =
        new java.util.concurrent.atomic.AtomicLong();

    private boolean armed;
    private final CompletableFuture<Void> gate = new CompletableFuture<>();
    private final CompletableFuture<Void> ran = new CompletableFuture<>();

    HoldingStore(Store delegate) {
      super(delegate);
    }

    synchronized void holdNext() {
      armed = true;
    }

    /** Waits until the held update has run, then lets its answer through. */
    void release() throws Exception {
      ran.get(10, TimeUnit.SECONDS);
      gate.complete(null);
    }

    @Override
    protected Txn txn(Txn inner) {
      return new Txn() {
        @Override
        public Optional<byte[]> get(String map, byte[] key) {
          return inner.get(map, key);
        }

        @Override
        public List<Entry> scan(String map, byte[] prefix, int limit) {
          return counted(inner.scan(map, prefix, limit));
        }

        @Override
        public List<Entry> scan(String map, byte[] prefix, byte[] from, int limit) {
          return counted(inner.scan(map, prefix, from, limit));
        }

        @Override
        public void put(String map, byte[] key, byte[] value) {
          inner.put(map, key, value);
        }

        @Override
        public void delete(String map, byte[] key) {
          inner.delete(map, key);
        }
      };
    }

    private List<Entry> counted(List<Entry> rows) {
      rowsScanned.addAndGet(rows.size());
      return rows;
    }

    @Override
    public <T> CompletableFuture<T> update(Function<Txn, T> fn) {
      updates.incrementAndGet();
      boolean hold;
      synchronized (this) {
        hold = armed;
        armed = false;
      }
      CompletableFuture<T> inner = super.update(fn);
      if (!hold) {
        return inner;
      }
      inner.whenComplete((v, e) -> ran.complete(null));
      return inner.thenCompose(v -> gate.thenApply(x -> v));
    }
  }

  private final HoldingStore store = new HoldingStore(new InMemoryStore());

  @AfterEach
  void tearDown() {
    store.close();
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  private static Envelope envelope(String body, byte id) {
    byte[] raw = new byte[16];
    raw[0] = id;
    return new Envelope(
        MessageId.of(raw),
        new Address("alice", 1),
        new Address("carol", 1),
        EnvelopeType.MESSAGE,
        body.getBytes(StandardCharsets.UTF_8),
        0);
  }

  private PresenceRegistry presence;
  private Mailboxes mailboxes;
  private DeliveryService service;
  private final RecordingConnection carol = new RecordingConnection("carol");

  @BeforeEach
  void setUp() throws Exception {
    presence = get(PresenceRegistry.open(store));
    mailboxes = DeliveryServiceContract.openMailboxes(store, presence);
    service =
        new DeliveryService(
            mailboxes,
            presence,
            new LocalRouter(),
            user -> CompletableFuture.completedFuture(true),
            DeliveryService.Settings.defaults());
  }

  @Test
  void pageReadBeforeAnAck_answeredAfterIt_doesNotPushTheAckedEntryAgain() throws Exception {
    get(service.connect(carol));
    Envelope x = envelope("x", (byte) 1);
    get(service.send(x));
    assertThat(carol.bodies()).containsExactly("x");

    // A mailbox read is submitted (it will see x) and its answer is held back ...
    store.holdNext();
    service.resume(carol);
    // ... while the ack of x is written after it and reaches the session first.
    assertThat(get(service.ack(carol, List.of(x.messageId())))).isEqualTo(1);
    assertThat(service.inFlight(carol)).isZero();
    store.release();

    get(service.send(envelope("y", (byte) 2)));
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (carol.bodies().size() < 2 && System.nanoTime() < end) {
      Thread.sleep(5);
    }
    Thread.sleep(100); // room for a wrong second push of x to show
    assertThat(carol.bodies()).as("x once, and the session still pushes").containsExactly("x", "y");
  }

  @Test
  void pageOverlappedByAnAck_pushesItsOtherEntries_withoutReadingAgain() throws Exception {
    get(service.connect(carol));
    Envelope x = envelope("x", (byte) 1);
    get(service.send(x));
    presence.set("carol", Presence.DND); // y and z wait in the mailbox
    get(service.send(envelope("y", (byte) 2)));
    get(service.send(envelope("z", (byte) 3)));
    assertThat(carol.bodies()).containsExactly("x");

    store.holdNext();
    presence.set("carol", Presence.ONLINE); // resumes: reads x, y, z; the answer is held back ...
    assertThat(get(service.ack(carol, List.of(x.messageId())))).isEqualTo(1); // ... past this ack
    int before = store.updates.get();
    store.release();

    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (carol.bodies().size() < 3 && System.nanoTime() < end) {
      Thread.sleep(5);
    }
    Thread.sleep(100);
    assertThat(carol.bodies()).containsExactly("x", "y", "z");
    assertThat(store.updates.get() - before).as("the held page was used, not read again").isZero();
  }

  @Test
  void backlogDrain_readsEachEntryAboutOnce_inOrder() throws Exception {
    // Pages of 10 and a window of 100, so that the acks drive the reads.
    DeliveryService service =
        new DeliveryService(
            mailboxes,
            presence,
            new LocalRouter(),
            user -> CompletableFuture.completedFuture(true),
            new DeliveryService.Settings(10, 100, 1000));
    int n = 1_000; // the mailbox quota here
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] raw = new byte[16];
      raw[0] = (byte) (i >> 8);
      raw[1] = (byte) i;
      raw[2] = 7;
      String body = "m" + i;
      sent.add(body);
      get(
          service.send(
              new Envelope(
                  MessageId.of(raw),
                  new Address("alice", 1),
                  new Address("carol", 1),
                  EnvelopeType.MESSAGE,
                  body.getBytes(StandardCharsets.UTF_8),
                  0)));
    }
    long before = store.rowsScanned.get();
    get(service.connect(carol));

    // The client acks 25 at a time, as it stores them; each ack lets the session read on.
    int acked = 0;
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (acked < n && System.nanoTime() < end) {
      List<MessageId> pushed = carol.pushedIds();
      if (pushed.size() == acked) {
        Thread.sleep(1);
        continue;
      }
      List<MessageId> batch = pushed.subList(acked, Math.min(pushed.size(), acked + 25));
      assertThat(get(service.ack(carol, List.copyOf(batch)))).isEqualTo(batch.size());
      acked += batch.size();
    }

    assertThat(carol.bodies()).containsExactlyElementsOf(sent);
    // Reading from the start each time (the unacked window again with every page) read about
    // ten times as many.
    assertThat(store.rowsScanned.get() - before)
        .as("rows read for %d entries (the login summary reads each once too)", n)
        .isLessThan(3L * n);
  }
}
