package dev.sotto.server.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sotto.server.mailbox.Address;
import dev.sotto.server.mailbox.Envelope;
import dev.sotto.server.mailbox.EnvelopeType;
import dev.sotto.server.mailbox.MailboxSealer;
import dev.sotto.server.mailbox.Mailboxes;
import dev.sotto.server.mailbox.MessageId;
import dev.sotto.server.presence.Presence;
import dev.sotto.server.presence.PresenceRegistry;
import dev.sotto.store.Store;
import dev.sotto.wire.WireException;
import dev.sotto.wire.proto.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Delivery behaviour, on whichever store a subclass picks. */
abstract class DeliveryServiceContract {
  static final Set<String> ACCOUNTS = Set.of("alice", "bob", "carol", "mallory");
  @TempDir Path dir;
  Store store;
  PresenceRegistry presence;
  Mailboxes mailboxes;
  DeliveryService service;
  LocalRouter router = new LocalRouter();
  final Random random = new Random(1);

  abstract Store newStore(Path dir) throws Exception;

  @BeforeEach
  void setUp() throws Exception {
    store = newStore(dir);
    presence = get(PresenceRegistry.open(store));
    mailboxes = openMailboxes(store, presence);
    service = newService(DeliveryService.Settings.defaults());
  }

  /** The mailboxes these tests use: 1,000 messages or 10 MiB each, kept 30 days. */
  static Mailboxes openMailboxes(Store store, PresenceRegistry presence) throws Exception {
    return get(
        Mailboxes.open(
            store,
            new MailboxSealer(new byte[32]),
            presence::isBlocked,
            Clock.systemUTC(),
            new Mailboxes.Limits(1000, 10 << 20, Duration.ofDays(30), 100)));
  }

  DeliveryService newService(DeliveryService.Settings settings) {
    return new DeliveryService(
        mailboxes,
        presence,
        router,
        user -> CompletableFuture.completedFuture(ACCOUNTS.contains(user)),
        settings);
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(5);
    }
  }

  /** An envelope to the same recipient with {@code e}'s message id, from another sender. */
  static Envelope sameIdFrom(Envelope e, String from, String body) {
    return new Envelope(
        e.messageId(),
        new Address(from, 1),
        e.recipient(),
        EnvelopeType.MESSAGE,
        body.getBytes(StandardCharsets.UTF_8),
        0);
  }

  Envelope envelope(String from, String to, String body) {
    byte[] id = new byte[16];
    random.nextBytes(id);
    return new Envelope(
        MessageId.of(id),
        new Address(from, 1),
        new Address(to, 1),
        EnvelopeType.MESSAGE,
        body.getBytes(StandardCharsets.UTF_8),
        0);
  }

  @Test
  void send_recipientOnline_pushedLiveAfterStoreAndNotHeld() throws Exception {
    RecordingConnection bob = new RecordingConnection("bob");
    get(service.connect(bob));
    assertThat(bob.events()).containsExactly("summary:{}", "done");

    SendOutcome out = get(service.send(envelope("alice", "bob", "hello")));
    assertThat(out.held()).isFalse();
    assertThat(out.recipientPresence()).isEqualTo(Presence.ONLINE);
    assertThat(out.serverTimeMs()).isPositive();
    assertThat(out.toProto().getRecipientPresence().name()).isEqualTo("ONLINE");
    // The push was made before the sender's answer completed, and only after the durable store.
    assertThat(bob.bodies()).containsExactly("hello");
    assertThat(get(mailboxes.usage("bob")).messages()).isEqualTo(1);
  }

  @Test
  void send_recipientOffline_heldThenCountsAndBacklogOldestFirstOnLogin() throws Exception {
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String from = i % 2 == 0 ? "alice" : "carol";
      sent.add(from + i);
      SendOutcome out = get(service.send(envelope(from, "bob", from + i)));
      assertThat(out.held()).isTrue();
      assertThat(out.recipientPresence()).isEqualTo(Presence.OFFLINE);
    }
    RecordingConnection bob = new RecordingConnection("bob");
    get(service.connect(bob));
    List<String> expected = new ArrayList<>();
    expected.add(
        "summary:"
            + Map.of("alice", 3, "carol", 2).entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .toList()
                .toString()
                .replace('[', '{')
                .replace(']', '}'));
    sent.forEach(s -> expected.add("push:" + s));
    expected.add("done");
    assertThat(bob.events()).containsExactlyElementsOf(expected);
  }

  @Test
  void send_recipientInDnd_heldUntilDndEnds() throws Exception {
    RecordingConnection bob = new RecordingConnection("bob");
    get(service.connect(bob));
    service.setPresence(bob, Presence.DND);
    SendOutcome out = get(service.send(envelope("alice", "bob", "later")));
    assertThat(out.held()).isTrue();
    assertThat(out.recipientPresence()).isEqualTo(Presence.DND);
    Thread.sleep(50);
    assertThat(bob.bodies()).isEmpty();

    service.setPresence(bob, Presence.AWAY);
    await("push after DND", () -> bob.bodies().size() == 1);
    assertThat(bob.bodies()).containsExactly("later");
  }

  @Test
  void login_inDnd_summaryAndDoneButNoPushesUntilOnline() throws Exception {
    RecordingConnection first = new RecordingConnection("bob");
    get(service.connect(first));
    service.setPresence(first, Presence.DND);
    service.disconnect(first);
    get(service.send(envelope("alice", "bob", "waiting")));

    RecordingConnection bob = new RecordingConnection("bob");
    get(service.connect(bob));
    assertThat(bob.events()).containsExactly("summary:{alice=1}", "done");
    service.setPresence(bob, Presence.ONLINE);
    await("push after DND", () -> bob.bodies().equals(List.of("waiting")));
  }

  @Test
  void send_blockedSender_answeredAsIfRecipientOffline_neverDelivered() throws Exception {
    RecordingConnection bob = new RecordingConnection("bob");
    get(service.connect(bob));
    get(presence.block("bob", "mallory"));

    SendOutcome fromMallory = get(service.send(envelope("mallory", "bob", "spam")));
    SendOutcome fromAlice = get(service.send(envelope("alice", "bob", "hi")));
    assertThat(fromAlice.held()).isFalse();
    assertThat(fromAlice.recipientPresence()).isEqualTo(Presence.ONLINE);
    // To mallory, bob looks like any offline recipient: held, OFFLINE.
    assertThat(fromMallory.held()).isTrue();
    assertThat(fromMallory.recipientPresence()).isEqualTo(Presence.OFFLINE);
    assertThat(bob.bodies()).containsExactly("hi");
    service.disconnect(bob);

    RecordingConnection again = new RecordingConnection("bob");
    get(service.connect(again));
    assertThat(again.events()).containsExactly("summary:{alice=1}", "push:hi", "done");

    get(presence.unblock("bob", "mallory"));
    get(service.send(envelope("mallory", "bob", "sorry")));
    assertThat(again.bodies()).containsExactly("hi", "sorry");
  }

  @Test
  void ack_deletesSoNextLoginIsEmpty_unackedAreRedelivered() throws Exception {
    Envelope a = envelope("alice", "bob", "acked");
    Envelope b = envelope("alice", "bob", "not acked");
    get(service.send(a));
    get(service.send(b));
    RecordingConnection bob = new RecordingConnection("bob");
    get(service.connect(bob));
    assertThat(bob.bodies()).containsExactly("acked", "not acked");
    assertThat(get(service.ack(bob, List.of(a.messageId())))).isEqualTo(1);
    assertThat(service.inFlight(bob)).isEqualTo(1);
    service.disconnect(bob);

    RecordingConnection again = new RecordingConnection("bob");
    get(service.connect(again));
    assertThat(again.events()).containsExactly("summary:{alice=1}", "push:not acked", "done");
    get(service.ack(again, List.of(b.messageId())));
    assertThat(get(mailboxes.usage("bob")).messages()).isZero();
  }

  @Test
  void twoSendersReuseOneMessageId_bothDelivered_ackDeletesOnlyWhatWasPushed() throws Exception {
    Envelope fromAlice = envelope("alice", "bob", "alice's");
    Envelope fromCarol = sameIdFrom(fromAlice, "carol", "carol's");
    get(service.send(fromAlice));
    get(service.send(fromCarol));
    RecordingConnection bob = new RecordingConnection("bob");
    get(service.connect(bob));
    assertThat(bob.bodies()).containsExactly("alice's"); // one id in flight at a time
    assertThat(get(service.ack(bob, List.of(fromAlice.messageId())))).isEqualTo(1);
    await("the other sender's message", () -> bob.bodies().size() == 2);
    assertThat(bob.bodies()).containsExactly("alice's", "carol's");
    assertThat(get(service.ack(bob, List.of(fromCarol.messageId())))).isEqualTo(1);
    assertThat(get(mailboxes.usage("bob")).messages()).isZero();
  }

  @Test
  void twoSendersReuseOneMessageId_live_secondWaitsForTheAckOfTheFirst() throws Exception {
    RecordingConnection bob = new RecordingConnection("bob");
    get(service.connect(bob));
    Envelope fromAlice = envelope("alice", "bob", "alice's");
    get(service.send(fromAlice));
    get(service.send(sameIdFrom(fromAlice, "carol", "carol's")));
    assertThat(bob.bodies()).containsExactly("alice's");
    assertThat(get(service.ack(bob, List.of(fromAlice.messageId())))).isEqualTo(1);
    await("the other sender's message", () -> bob.bodies().size() == 2);
    assertThat(bob.bodies()).containsExactly("alice's", "carol's");
    assertThat(get(mailboxes.usage("bob")).messages()).isEqualTo(1);
  }

  @Test
  void ack_otherUsersIds_deleteNothingOfTheirs() throws Exception {
    Envelope toCarol = envelope("alice", "carol", "carol's");
    get(service.send(toCarol));
    RecordingConnection bob = new RecordingConnection("bob");
    get(service.connect(bob));
    assertThat(get(service.ack(bob, List.of(toCarol.messageId())))).isZero();
    assertThat(get(mailboxes.usage("carol")).messages()).isEqualTo(1);
  }

  @Test
  void ack_tooManyIdsOrUnknownConnection_rejected() {
    RecordingConnection stranger = new RecordingConnection("bob");
    assertThatThrownBy(() -> get(service.ack(stranger, List.of())))
        .cause()
        .isInstanceOf(WireException.class)
        .satisfies(
            e -> assertThat(((WireException) e).code()).isEqualTo(ErrorCode.NOT_AUTHENTICATED));
  }

  @Test
  void send_unknownRecipient_unknownUserAndNothingStored() throws Exception {
    assertThatThrownBy(() -> get(service.send(envelope("alice", "nobody", "x"))))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(WireException.class)
        .satisfies(e -> assertThat(((WireException) e).code()).isEqualTo(ErrorCode.UNKNOWN_USER));
    assertThat(get(mailboxes.usage("nobody")).messages()).isZero();
  }

  @Test
  void send_sameEnvelopeTwiceWhileOnline_pushedOnce() throws Exception {
    RecordingConnection bob = new RecordingConnection("bob");
    get(service.connect(bob));
    Envelope e = envelope("alice", "bob", "once");
    SendOutcome first = get(service.send(e));
    SendOutcome second = get(service.send(e));
    assertThat(second.serverTimeMs()).isEqualTo(first.serverTimeMs());
    assertThat(bob.bodies()).containsExactly("once");
  }

  @Test
  void send_twoConnectionsOfRecipient_bothPushed_ackOnOneFreesBoth() throws Exception {
    RecordingConnection one = new RecordingConnection("bob");
    RecordingConnection two = new RecordingConnection("bob");
    get(service.connect(one));
    get(service.connect(two));
    Envelope e = envelope("alice", "bob", "both");
    get(service.send(e));
    assertThat(one.bodies()).containsExactly("both");
    assertThat(two.bodies()).containsExactly("both");
    get(service.ack(one, List.of(e.messageId())));
    assertThat(service.inFlight(two)).isZero();
    service.disconnect(one);
    assertThat(presence.presence("bob")).isEqualTo(Presence.ONLINE);
    service.disconnect(two);
    assertThat(presence.presence("bob")).isEqualTo(Presence.OFFLINE);
  }

  @Test
  void push_connectionRefuses_messageStaysAndComesLater() throws Exception {
    RecordingConnection bob = new RecordingConnection("bob");
    get(service.connect(bob));
    bob.accepting(false);
    get(service.send(envelope("alice", "bob", "first")));
    bob.accepting(true);
    get(service.send(envelope("alice", "bob", "second")));
    await("both pushed in order", () -> bob.bodies().size() == 2);
    assertThat(bob.bodies()).containsExactly("first", "second");
  }

  @Test
  void backlog_connectionRefusesMidway_doneOnlyAfterResumeDeliversTheRest() throws Exception {
    for (int i = 0; i < 5; i++) {
      get(service.send(envelope("alice", "bob", "m" + i)));
    }
    RecordingConnection bob = new RecordingConnection("bob");
    bob.accepting(false);
    service.connect(bob);
    Thread.sleep(200);
    assertThat(bob.bodies()).isEmpty();
    assertThat(bob.doneCount()).as("no BacklogDone while pushes are refused").isZero();
    bob.accepting(true);
    service.resume(bob);
    await("all pushed and done", () -> bob.doneCount() == 1);
    assertThat(bob.bodies()).containsExactly("m0", "m1", "m2", "m3", "m4");
  }

  @Test
  void backlog_largerThanPagesAndWindow_allDeliveredInOrderAsAcksArrive() throws Exception {
    DeliveryService small = newService(new DeliveryService.Settings(5, 12, 100));
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      sent.add("m" + i);
      get(small.send(envelope("alice", "bob", "m" + i)));
    }
    RecordingConnection bob = new RecordingConnection("bob");
    get(small.connect(bob));
    assertThat(bob.bodies()).hasSizeLessThanOrEqualTo(12);
    Set<MessageId> acked = new HashSet<>();
    int round = 0;
    for (; round < 200 && acked.size() < 60; round++) {
      List<MessageId> toAck = new ArrayList<>();
      for (MessageId id : bob.pushedIds()) {
        if (acked.add(id)) {
          toAck.add(id);
        }
      }
      if (!toAck.isEmpty()) {
        get(small.ack(bob, toAck));
      } else {
        Thread.sleep(5);
      }
    }
    assertThat(bob.bodies()).containsExactlyElementsOf(sent);
    assertThat(bob.events().get(0)).isEqualTo("summary:{alice=60}");
    assertThat(bob.events()).containsOnlyOnce("done");
    assertThat(get(mailboxes.usage("bob")).messages()).isZero();
  }

  @Test
  void liveSendsDuringLoginBacklog_seededSchedules_orderKeptNoLoss() throws Exception {
    for (long seed = 1; seed <= 4; seed++) {
      Random r = new Random(seed);
      String recipient = "carol";
      DeliveryService small =
          newService(new DeliveryService.Settings(1 + r.nextInt(8), 4 + r.nextInt(20), 100));
      int before = r.nextInt(30);
      int during = 10 + r.nextInt(30);
      List<String> sent = new ArrayList<>();
      for (int i = 0; i < before; i++) {
        sent.add(seed + "-" + i);
        get(small.send(envelope("alice", recipient, seed + "-" + i)));
      }
      RecordingConnection conn = new RecordingConnection(recipient);
      CompletableFuture<Void> login = small.connect(conn);
      List<CompletableFuture<SendOutcome>> live = new ArrayList<>();
      for (int i = before; i < before + during; i++) {
        sent.add(seed + "-" + i);
        live.add(small.send(envelope("alice", recipient, seed + "-" + i)));
        if (r.nextInt(4) == 0) {
          Thread.sleep(r.nextInt(3));
        }
        if (r.nextBoolean()) {
          List<MessageId> ids = conn.pushedIds();
          if (!ids.isEmpty()) {
            small.ack(conn, ids.subList(0, r.nextInt(ids.size()) + 1));
          }
        }
      }
      for (CompletableFuture<SendOutcome> f : live) {
        get(f);
      }
      get(login);
      for (int round = 0; round < 400; round++) {
        List<MessageId> ids = conn.pushedIds();
        get(small.ack(conn, ids));
        if (conn.bodies().stream().distinct().count() == sent.size()) {
          break;
        }
        Thread.sleep(5);
      }
      List<String> distinct = conn.bodies().stream().distinct().toList();
      assertThat(distinct).as("seed %d", seed).containsExactlyElementsOf(sent);
      assertThat(conn.bodies()).as("seed %d: no duplicate pushes", seed).doesNotHaveDuplicates();
      small.disconnect(conn);
      get(mailboxes.ack(recipient, conn.pushedIds()));
    }
  }
}
