package dev.sotto.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.sotto.server.directory.PreKeyDirectory;
import dev.sotto.server.mailbox.Mailboxes;
import dev.sotto.wire.WireLimits;
import dev.sotto.wire.proto.AckMessages;
import dev.sotto.wire.proto.Address;
import dev.sotto.wire.proto.Block;
import dev.sotto.wire.proto.Envelope;
import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.FetchPreKeyBundle;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.PresencePush;
import dev.sotto.wire.proto.PresenceState;
import dev.sotto.wire.proto.SendMessage;
import dev.sotto.wire.proto.SetPresence;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Messaging over the real server (port 0, real journaled store, TLS): offline and live delivery,
 * acks, idempotent resends, prekeys, blocks, DND, presence, and refusals. Each test uses its own
 * users, so tests do not see each other's messages (presence pushes of others are skipped). Scoped
 * presence ({@code WatchPresence}) has its own {@link PresenceWatchIT}.
 */
class MessagingIT {

  @TempDir static Path temp;
  private static SottoServer server;
  private static int port;
  private static final AtomicInteger names = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    server = SottoServer.start(ServerIT.testConfig(temp.resolve("data")));
    port = server.port();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.stop();
    }
  }

  private static String name(String base) {
    return base + names.incrementAndGet();
  }

  @Test
  void offlineSend_loginGetsSummaryBacklogDone_ackDeletes() throws Exception {
    String alice = name("alice");
    String bob = name("bob");
    byte[] ak = TestClient.randomKey();
    byte[] bk = TestClient.randomKey();
    try (TestClient a = Msg.registered(port, alice, ak)) {
      try (TestClient b = Msg.registered(port, bob, bk)) {
        assertThat(Msg.logout(b).hasOk()).isTrue();
      }
      List<byte[]> ids = List.of(Msg.newId(), Msg.newId(), Msg.newId());
      for (byte[] id : ids) {
        Frame stored = Msg.send(a, bob, id, Msg.randomBytes(100));
        assertThat(stored.hasStored()).as("%s", stored).isTrue();
        assertThat(stored.getStored().getMessageId().toByteArray()).isEqualTo(id);
        assertThat(stored.getStored().getHeld()).isTrue();
        assertThat(stored.getStored().getRecipientPresence()).isEqualTo(PresenceState.OFFLINE);
      }
      try (TestClient b = Msg.session(port, bob, bk, false)) {
        Msg.Backlog backlog = Msg.backlog(b);
        assertThat(backlog.summary().getCountsList()).hasSize(1);
        assertThat(backlog.summary().getCounts(0).getSender()).isEqualTo(alice);
        assertThat(backlog.summary().getCounts(0).getCount()).isEqualTo(3);
        assertThat(backlog.pushes()).hasSize(3);
        for (int i = 0; i < 3; i++) {
          Envelope e = backlog.pushes().get(i);
          assertThat(e.getMessageId().toByteArray()).isEqualTo(ids.get(i));
          assertThat(e.getSender().getUser()).isEqualTo(alice);
          assertThat(e.getServerTimeMs()).isPositive();
        }
        assertThat(Msg.ack(b, ids).hasOk()).isTrue();
        assertThat(Msg.logout(b).hasOk()).isTrue();
      }
      try (TestClient b = Msg.session(port, bob, bk, false)) {
        Msg.Backlog again = Msg.backlog(b);
        assertThat(again.summary().getCountsList()).isEmpty();
        assertThat(again.pushes()).isEmpty();
      }
    }
  }

  @Test
  void livePush_reachesEveryConnectionOfTheRecipient() throws Exception {
    String alice = name("alice");
    String bob = name("bob");
    byte[] bk = TestClient.randomKey();
    try (TestClient a = Msg.registered(port, alice, TestClient.randomKey());
        TestClient b1 = Msg.registered(port, bob, bk);
        TestClient b2 = Msg.session(port, bob, bk, false)) {
      assertThat(Msg.backlog(b2).pushes()).isEmpty();
      byte[] id = Msg.newId();
      byte[] ct = Msg.randomBytes(300);
      Frame stored = Msg.send(a, bob, id, ct);
      assertThat(stored.getStored().getHeld()).isFalse();
      assertThat(stored.getStored().getRecipientPresence()).isEqualTo(PresenceState.ONLINE);
      for (TestClient b : List.of(b1, b2)) {
        Frame push = Msg.nextDelivery(b);
        assertThat(push.hasMessagePush()).as("%s", push.getBodyCase()).isTrue();
        Envelope e = push.getMessagePush().getEnvelope();
        assertThat(e.getMessageId().toByteArray()).isEqualTo(id);
        assertThat(e.getCiphertext().toByteArray()).isEqualTo(ct);
        assertThat(e.getSender().getUser()).isEqualTo(alice);
        assertThat(e.getSender().getDeviceId()).isEqualTo(1);
      }
    }
  }

  @Test
  void resendOfTheSameId_whileHeld_storedAndDeliveredOnce() throws Exception {
    String alice = name("alice");
    String bob = name("bob");
    byte[] bk = TestClient.randomKey();
    try (TestClient a = Msg.registered(port, alice, TestClient.randomKey());
        TestClient b = Msg.registered(port, bob, bk)) {
      byte[] id = Msg.newId();
      byte[] ct = Msg.randomBytes(50);
      Frame first = Msg.send(a, bob, id, ct);
      Frame second = Msg.send(a, bob, id, ct);
      assertThat(first.hasStored()).isTrue();
      assertThat(second.hasStored()).isTrue();
      assertThat(second.getStored().getMessageId()).isEqualTo(first.getStored().getMessageId());
      byte[] marker = Msg.newId();
      assertThat(Msg.send(a, bob, marker, ct).hasStored()).isTrue();
      Frame p1 = Msg.nextDelivery(b);
      Frame p2 = Msg.nextDelivery(b);
      assertThat(p1.getMessagePush().getEnvelope().getMessageId().toByteArray()).isEqualTo(id);
      assertThat(p2.getMessagePush().getEnvelope().getMessageId().toByteArray())
          .as("the second push is the next message, not the resend")
          .isEqualTo(marker);
      // Unacked: a new login gets each exactly once.
      assertThat(Msg.logout(b).hasOk()).isTrue();
      try (TestClient again = Msg.session(port, bob, bk, false)) {
        Msg.Backlog backlog = Msg.backlog(again);
        assertThat(backlog.pushes())
            .extracting(e -> e.getMessageId().toByteArray())
            .containsExactly(id, marker);
        assertThat(backlog.summary().getCounts(0).getCount()).isEqualTo(2);
        // An ack after the resend was stored still deletes. The server keeps nothing of an acked
        // message: a resend after the ack is stored and pushed again (the client drops it by id).
        assertThat(Msg.ack(again, List.of(id, marker)).hasOk()).isTrue();
        assertThat(Msg.send(a, bob, id, ct).hasStored()).isTrue();
        byte[] last = Msg.newId();
        assertThat(Msg.send(a, bob, last, ct).hasStored()).isTrue();
        assertThat(
                Msg.nextDelivery(again).getMessagePush().getEnvelope().getMessageId().toByteArray())
            .isEqualTo(id);
        assertThat(
                Msg.nextDelivery(again).getMessagePush().getEnvelope().getMessageId().toByteArray())
            .isEqualTo(last);
      }
    }
  }

  @Test
  void preKeys_oneTimeKeysHandedOutExactlyOnce_underConcurrentFetches_ownerToldWhenLow()
      throws Exception {
    String owner = name("owner");
    byte[] ok = TestClient.randomKey();
    try (TestClient o = Msg.registered(port, owner, ok)) {
      Frame up = o.request(Frame.newBuilder().setUploadPreKeys(Msg.upload(20, 100)));
      assertThat(up.hasOk()).as("%s", up).isTrue();
      Frame count =
          o.request(
              Frame.newBuilder()
                  .setPreKeyCountRequest(
                      dev.sotto.wire.proto.PreKeyCountRequest.getDefaultInstance()));
      assertThat(count.getPreKeyCount().getOneTime()).isEqualTo(20);
      assertThat(count.getPreKeyCount().getOneTimeKem()).isEqualTo(20);
      int requesters = 3;
      int perRequester = 8;
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(requesters);
      List<java.util.concurrent.Future<List<Frame>>> results = new java.util.ArrayList<>();
      try {
        for (int r = 0; r < requesters; r++) {
          TestClient c = Msg.registered(port, name("fetcher"), TestClient.randomKey());
          results.add(
              pool.submit(
                  () -> {
                    try (c) {
                      List<Frame> got = new java.util.ArrayList<>();
                      for (int i = 0; i < perRequester; i++) {
                        got.add(Msg.fetch(c, owner));
                      }
                      return got;
                    }
                  }));
        }
        java.util.Set<Integer> oneTime = new java.util.HashSet<>();
        java.util.Set<Integer> kem = new java.util.HashSet<>();
        int withoutOneTime = 0;
        int lastResort = 0;
        for (var f : results) {
          for (Frame b : f.get(60, java.util.concurrent.TimeUnit.SECONDS)) {
            assertThat(b.hasPreKeyBundle()).as("%s", b).isTrue();
            var bundle = b.getPreKeyBundle();
            if (bundle.hasOneTimePreKey()) {
              assertThat(oneTime.add(bundle.getOneTimePreKey().getId()))
                  .as("one-time key handed out twice")
                  .isTrue();
            } else {
              withoutOneTime++;
            }
            if (bundle.getKemPreKeyIsLastResort()) {
              assertThat(bundle.getKemPreKey().getId()).isEqualTo(3);
              lastResort++;
            } else {
              assertThat(kem.add(bundle.getKemPreKey().getId())).as("KEM key twice").isTrue();
            }
          }
        }
        assertThat(oneTime).hasSize(20);
        assertThat(kem).hasSize(20);
        assertThat(withoutOneTime).isEqualTo(requesters * perRequester - 20);
        assertThat(lastResort).isEqualTo(requesters * perRequester - 20);
      } finally {
        pool.shutdownNow();
      }
      Frame low = o.nextPush();
      while (!low.hasPreKeysLow()) {
        low = o.nextPush();
      }
      assertThat(low.getPreKeysLow().getOneTime()).isLessThan(20);
      Frame after =
          o.request(
              Frame.newBuilder()
                  .setPreKeyCountRequest(
                      dev.sotto.wire.proto.PreKeyCountRequest.getDefaultInstance()));
      assertThat(after.getPreKeyCount().getOneTime()).isZero();
      assertThat(after.getPreKeyCount().getOneTimeKem()).isZero();
      // A top-up without the identity fields is accepted and counted.
      var topUp =
          Msg.upload(5, 500).toBuilder()
              .clearIdentitySigningKey()
              .clearIdentityAgreementKey()
              .build();
      assertThat(o.request(Frame.newBuilder().setUploadPreKeys(topUp)).hasOk()).isTrue();
      Frame topped =
          o.request(
              Frame.newBuilder()
                  .setPreKeyCountRequest(
                      dev.sotto.wire.proto.PreKeyCountRequest.getDefaultInstance()));
      assertThat(topped.getPreKeyCount().getOneTime()).isEqualTo(5);
    }
    // Still low at the next login: told again.
    try (TestClient o = Msg.session(port, owner, ok, false)) {
      Frame f = o.nextPush();
      while (!f.hasPreKeysLow()) {
        f = o.nextPush();
      }
      assertThat(f.getPreKeysLow().getOneTime()).isEqualTo(5);
    }
  }

  @Test
  void block_dropsSilently_unblockDeliversAgain() throws Exception {
    String alice = name("alice");
    String bob = name("bob");
    String carol = name("carol");
    try (TestClient a = Msg.registered(port, alice, TestClient.randomKey());
        TestClient b = Msg.registered(port, bob, TestClient.randomKey());
        TestClient c = Msg.registered(port, carol, TestClient.randomKey())) {
      assertThat(Msg.block(b, alice.toUpperCase()).hasOk()).isTrue();
      assertThat(Msg.entry(Msg.listUsers(b), alice).getBlocked()).isTrue();
      assertThat(Msg.entry(Msg.listUsers(b), carol).getBlocked()).isFalse();
      byte[] dropped = Msg.newId();
      Frame stored = Msg.send(a, bob, dropped, Msg.randomBytes(10));
      assertThat(stored.hasStored()).as("a blocked sender is told stored").isTrue();
      byte[] fromCarol = Msg.newId();
      assertThat(Msg.send(c, bob, fromCarol, Msg.randomBytes(10)).hasStored()).isTrue();
      assertThat(Msg.nextDelivery(b).getMessagePush().getEnvelope().getMessageId().toByteArray())
          .isEqualTo(fromCarol);
      assertThat(Msg.unblock(b, alice).hasOk()).isTrue();
      assertThat(Msg.entry(Msg.listUsers(b), alice).getBlocked()).isFalse();
      byte[] after = Msg.newId();
      assertThat(Msg.send(a, bob, after, Msg.randomBytes(10)).hasStored()).isTrue();
      assertThat(Msg.nextDelivery(b).getMessagePush().getEnvelope().getMessageId().toByteArray())
          .isEqualTo(after);
    }
  }

  @Test
  void block_blockerLooksOfflineToTheBlocked_inListsPushesAndStored() throws Exception {
    String alice = name("alice");
    String bob = name("bob");
    String carol = name("carol");
    try (TestClient a = Msg.registered(port, alice, TestClient.randomKey());
        TestClient c = Msg.registered(port, carol, TestClient.randomKey());
        TestClient b = Msg.registered(port, bob, TestClient.randomKey())) {
      assertThat(Msg.watch(a, bob).hasOk()).isTrue();
      assertThat(Msg.watch(c, bob).hasOk()).isTrue();
      assertThat(Msg.nextPresenceOf(a, bob).getPresence()).isEqualTo(PresenceState.ONLINE);
      assertThat(Msg.nextPresenceOf(c, bob).getPresence()).isEqualTo(PresenceState.ONLINE);
      assertThat(Msg.block(b, alice).hasOk()).isTrue();
      assertThat(Msg.nextPresenceOf(a, bob).getPresence())
          .as("told once, at block time, that bob went offline")
          .isEqualTo(PresenceState.OFFLINE);
      assertThat(Msg.entry(Msg.listUsers(a), bob).getPresence()).isEqualTo(PresenceState.OFFLINE);
      assertThat(Msg.entry(Msg.listUsers(c), bob).getPresence()).isEqualTo(PresenceState.ONLINE);
      Frame stored = Msg.send(a, bob, Msg.newId(), Msg.randomBytes(10));
      assertThat(stored.getStored().getRecipientPresence()).isEqualTo(PresenceState.OFFLINE);
      assertThat(stored.getStored().getHeld()).as("like any offline recipient").isTrue();
      Frame fromCarol = Msg.send(c, bob, Msg.newId(), Msg.randomBytes(10));
      assertThat(fromCarol.getStored().getRecipientPresence()).isEqualTo(PresenceState.ONLINE);
      assertThat(fromCarol.getStored().getHeld()).isFalse();
      assertThat(Msg.setPresence(b, PresenceState.AWAY).hasOk()).isTrue();
      assertThat(Msg.nextPresenceOf(c, bob).getPresence()).isEqualTo(PresenceState.AWAY);
      assertThat(Msg.entry(Msg.listUsers(a), bob).getPresence()).isEqualTo(PresenceState.OFFLINE);
      // Unblocking shows bob again; the next push alice gets about bob is that one, so the AWAY
      // change carol saw never reached her.
      assertThat(Msg.unblock(b, alice).hasOk()).isTrue();
      PresencePush seen = Msg.nextPresenceOf(a, bob);
      assertThat(seen.getPresence()).isEqualTo(PresenceState.AWAY);
      assertThat(Msg.entry(Msg.listUsers(a), bob).getPresence()).isEqualTo(PresenceState.AWAY);
      assertThat(Msg.send(a, bob, Msg.newId(), Msg.randomBytes(10)).getStored().getHeld())
          .isFalse();
    }
  }

  @Test
  void presenceFlips_coalescedLastStateWins_andRateLimitedWithRetryTime() throws Exception {
    String dave = name("dave");
    String eve = name("eve");
    try (TestClient e = Msg.registered(port, eve, TestClient.randomKey());
        TestClient d = Msg.registered(port, dave, TestClient.randomKey())) {
      assertThat(Msg.watch(e, dave).hasOk()).isTrue();
      assertThat(Msg.nextPresenceOf(e, dave).getPresence()).isEqualTo(PresenceState.ONLINE);
      List<PresenceState> flips =
          List.of(
              PresenceState.AWAY,
              PresenceState.ONLINE,
              PresenceState.AWAY,
              PresenceState.ONLINE,
              PresenceState.DND);
      for (Frame answer : pipelined(d, flips)) {
        assertThat(answer.hasOk()).as("%s", answer).isTrue();
      }
      List<PresenceState> seen = new ArrayList<>();
      while (seen.isEmpty() || seen.get(seen.size() - 1) != PresenceState.DND) {
        seen.add(Msg.nextPresenceOf(e, dave).getPresence());
      }
      assertThat(seen).as("five flips within one interval").hasSizeLessThanOrEqualTo(3);
      e.setTimeoutMs(700);
      assertThatThrownBy(() -> Msg.nextPresenceOf(e, dave))
          .as("nothing after the last state")
          .isInstanceOf(java.net.SocketTimeoutException.class);
      e.setTimeoutMs(15_000);
      // 10 changes in a burst, then one per second: five more pass, the rest are refused.
      List<PresenceState> more = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        more.add(i % 2 == 0 ? PresenceState.AWAY : PresenceState.ONLINE);
      }
      List<Frame> answers = pipelined(d, more);
      List<Frame> refused = answers.stream().filter(Frame::hasError).toList();
      assertThat(refused).hasSizeGreaterThanOrEqualTo(2);
      for (Frame f : refused) {
        assertThat(f.getError().getCode()).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(f.getError().getRetryAfterMs()).isBetween(1L, 1000L);
      }
      assertThat(d.ping()).isTrue();
    }
  }

  /** Sends SetPresence requests without waiting, then returns their answers in order. */
  private static List<Frame> pipelined(TestClient c, List<PresenceState> states) throws Exception {
    return c.pipelined(
        states.stream()
            .map(p -> Frame.newBuilder().setSetPresence(SetPresence.newBuilder().setPresence(p)))
            .toList());
  }

  @Test
  void dnd_holdsAndTellsTheSender_thenDeliversOnOnline() throws Exception {
    String alice = name("alice");
    String bob = name("bob");
    try (TestClient a = Msg.registered(port, alice, TestClient.randomKey());
        TestClient b = Msg.registered(port, bob, TestClient.randomKey())) {
      assertThat(Msg.setPresence(b, PresenceState.DND).hasOk()).isTrue();
      byte[] id = Msg.newId();
      Frame stored = Msg.send(a, bob, id, Msg.randomBytes(10));
      assertThat(stored.getStored().getHeld()).isTrue();
      assertThat(stored.getStored().getRecipientPresence()).isEqualTo(PresenceState.DND);
      b.setTimeoutMs(700);
      assertThatThrownBy(() -> Msg.nextDelivery(b))
          .as("nothing is pushed in DND")
          .isInstanceOf(java.net.SocketTimeoutException.class);
      b.setTimeoutMs(15_000);
      assertThat(Msg.setPresence(b, PresenceState.ONLINE).hasOk()).isTrue();
      Frame push = Msg.nextDelivery(b);
      assertThat(push.getMessagePush().getEnvelope().getMessageId().toByteArray()).isEqualTo(id);
    }
  }

  @Test
  void presence_listedAndPushedToOthers() throws Exception {
    String bob = name("bob");
    String carol = name("carol");
    byte[] ck = TestClient.randomKey();
    try (TestClient b = Msg.registered(port, bob, TestClient.randomKey())) {
      TestClient c = Msg.registered(port, carol, ck);
      assertThat(Msg.watch(b, carol).hasOk()).isTrue();
      assertThat(Msg.nextPresenceOf(b, carol).getPresence()).isEqualTo(PresenceState.ONLINE);
      assertThat(Msg.entry(Msg.listUsers(b), carol).getPresence()).isEqualTo(PresenceState.ONLINE);
      assertThat(Msg.setPresence(c, PresenceState.AWAY).hasOk()).isTrue();
      assertThat(Msg.nextPresenceOf(b, carol).getPresence()).isEqualTo(PresenceState.AWAY);
      assertThat(Msg.entry(Msg.listUsers(b), carol).getPresence()).isEqualTo(PresenceState.AWAY);
      assertThat(Msg.setPresence(c, PresenceState.DND).hasOk()).isTrue();
      assertThat(Msg.nextPresenceOf(b, carol).getPresence()).isEqualTo(PresenceState.DND);
      assertThat(Msg.logout(c).hasOk()).isTrue();
      c.close();
      assertThat(Msg.nextPresenceOf(b, carol).getPresence()).isEqualTo(PresenceState.OFFLINE);
      assertThat(Msg.entry(Msg.listUsers(b), carol).getPresence()).isEqualTo(PresenceState.OFFLINE);
      // A plain disconnect (no Logout) also ends the session.
      try (TestClient c2 = Msg.session(port, carol, ck, false)) {
        assertThat(Msg.nextPresenceOf(b, carol).getPresence())
            .as("the chosen presence is remembered")
            .isEqualTo(PresenceState.DND);
        assertThat(Msg.setPresence(c2, PresenceState.ONLINE).hasOk()).isTrue();
        assertThat(Msg.nextPresenceOf(b, carol).getPresence()).isEqualTo(PresenceState.ONLINE);
      }
      assertThat(Msg.nextPresenceOf(b, carol).getPresence()).isEqualTo(PresenceState.OFFLINE);
    }
  }

  @Test
  void everyMessagingRequestBeforeLogin_notAuthenticated_connectionStaysUsable() throws Exception {
    List<Frame.Builder> requests =
        List.of(
            Frame.newBuilder().setUploadPreKeys(Msg.upload(1, 1)),
            Frame.newBuilder()
                .setFetchPreKeyBundle(dev.sotto.wire.proto.FetchPreKeyBundle.getDefaultInstance()),
            Frame.newBuilder()
                .setPreKeyCountRequest(
                    dev.sotto.wire.proto.PreKeyCountRequest.getDefaultInstance()),
            Msg.envelopeFrame("bob", Msg.newId(), new byte[] {1}),
            Frame.newBuilder()
                .setAckMessages(
                    dev.sotto.wire.proto.AckMessages.newBuilder()
                        .addMessageIds(com.google.protobuf.ByteString.copyFrom(Msg.newId()))),
            Frame.newBuilder().setListUsers(dev.sotto.wire.proto.ListUsers.getDefaultInstance()),
            Frame.newBuilder()
                .setSetPresence(
                    dev.sotto.wire.proto.SetPresence.newBuilder().setPresence(PresenceState.DND)),
            Frame.newBuilder().setBlock(dev.sotto.wire.proto.Block.newBuilder().setUsername("bob")),
            Frame.newBuilder()
                .setUnblock(dev.sotto.wire.proto.Unblock.newBuilder().setUsername("bob")),
            Frame.newBuilder()
                .setWatchPresence(
                    dev.sotto.wire.proto.WatchPresence.newBuilder().addUsernames("bob")));
    try (TestClient c = TestClient.connect(port)) {
      c.hello();
      for (Frame.Builder r : requests) {
        Frame f = c.request(r);
        assertThat(TestClient.code(f))
            .as("%s before login", r.getBodyCase())
            .isEqualTo(dev.sotto.wire.proto.ErrorCode.NOT_AUTHENTICATED);
      }
      assertThat(c.ping()).isTrue();
    }
  }

  @Test
  void invalidInputs_getTheirError_userKeepsWorking() throws Exception {
    String alice = name("alice");
    String bob = name("bob");
    String keyless = name("keyless");
    try (TestClient a = Msg.registered(port, alice, TestClient.randomKey());
        TestClient b = Msg.registered(port, bob, TestClient.randomKey());
        TestClient k = Msg.registered(port, keyless, TestClient.randomKey())) {
      Map<String, Map.Entry<Frame.Builder, ErrorCode>> cases = new LinkedHashMap<>();
      cases.put(
          "send without envelope",
          Map.entry(
              Frame.newBuilder().setSendMessage(SendMessage.getDefaultInstance()),
              ErrorCode.INVALID_REQUEST));
      cases.put(
          "15-byte message id",
          Map.entry(
              Msg.envelopeFrame(bob, new byte[15], new byte[] {1}), ErrorCode.INVALID_REQUEST));
      cases.put(
          "empty ciphertext",
          Map.entry(Msg.envelopeFrame(bob, Msg.newId(), new byte[0]), ErrorCode.INVALID_REQUEST));
      cases.put(
          "ciphertext over the limit",
          Map.entry(
              Msg.envelopeFrame(bob, Msg.newId(), new byte[WireLimits.MAX_MESSAGE_BYTES + 1]),
              ErrorCode.MESSAGE_TOO_LARGE));
      cases.put(
          "unknown recipient",
          Map.entry(
              Msg.envelopeFrame("nobody-here", Msg.newId(), new byte[] {1}),
              ErrorCode.UNKNOWN_USER));
      cases.put(
          "invalid recipient name",
          Map.entry(
              Msg.envelopeFrame("No Such!", Msg.newId(), new byte[] {1}),
              ErrorCode.INVALID_USERNAME));
      Frame.Builder device2 = Msg.envelopeFrame(bob, Msg.newId(), new byte[] {1});
      device2.getSendMessageBuilder().getEnvelopeBuilder().getRecipientBuilder().setDeviceId(2);
      cases.put("recipient device 2", Map.entry(device2, ErrorCode.INVALID_REQUEST));
      cases.put(
          "ack of a 15-byte id",
          Map.entry(
              Frame.newBuilder()
                  .setAckMessages(
                      AckMessages.newBuilder().addMessageIds(ByteString.copyFrom(new byte[15]))),
              ErrorCode.INVALID_REQUEST));
      cases.put(
          "empty ack",
          Map.entry(
              Frame.newBuilder().setAckMessages(AckMessages.getDefaultInstance()),
              ErrorCode.INVALID_REQUEST));
      AckMessages.Builder tooMany = AckMessages.newBuilder();
      for (int i = 0; i < 1001; i++) {
        tooMany.addMessageIds(ByteString.copyFrom(Msg.newId()));
      }
      cases.put(
          "ack of 1001 ids",
          Map.entry(Frame.newBuilder().setAckMessages(tooMany), ErrorCode.INVALID_REQUEST));
      cases.put(
          "presence OFFLINE",
          Map.entry(
              Frame.newBuilder()
                  .setSetPresence(SetPresence.newBuilder().setPresence(PresenceState.OFFLINE)),
              ErrorCode.INVALID_REQUEST));
      cases.put(
          "presence unset",
          Map.entry(
              Frame.newBuilder().setSetPresence(SetPresence.getDefaultInstance()),
              ErrorCode.INVALID_REQUEST));
      cases.put(
          "block of an invalid name",
          Map.entry(
              Frame.newBuilder().setBlock(Block.newBuilder().setUsername("x")),
              ErrorCode.INVALID_USERNAME));
      cases.put(
          "block of an unknown user",
          Map.entry(
              Frame.newBuilder().setBlock(Block.newBuilder().setUsername("nobody-here")),
              ErrorCode.UNKNOWN_USER));
      cases.put(
          "block of oneself",
          Map.entry(
              Frame.newBuilder().setBlock(Block.newBuilder().setUsername(alice)),
              ErrorCode.INVALID_REQUEST));
      cases.put(
          "fetch without address",
          Map.entry(
              Frame.newBuilder().setFetchPreKeyBundle(FetchPreKeyBundle.getDefaultInstance()),
              ErrorCode.INVALID_REQUEST));
      cases.put(
          "fetch of an unknown user",
          Map.entry(
              Frame.newBuilder()
                  .setFetchPreKeyBundle(
                      FetchPreKeyBundle.newBuilder()
                          .setAddress(Address.newBuilder().setUser("nobody-here").setDeviceId(1))),
              ErrorCode.UNKNOWN_USER));
      cases.put(
          "fetch of a user without keys",
          Map.entry(
              Frame.newBuilder()
                  .setFetchPreKeyBundle(
                      FetchPreKeyBundle.newBuilder()
                          .setAddress(Address.newBuilder().setUser(keyless).setDeviceId(1))),
              ErrorCode.NO_PRE_KEYS));
      cases.put(
          "incomplete first upload",
          Map.entry(
              Frame.newBuilder().setUploadPreKeys(Msg.upload(2, 1).toBuilder().clearSignedPreKey()),
              ErrorCode.INVALID_PRE_KEYS));
      cases.put(
          "short signed prekey",
          Map.entry(
              Frame.newBuilder()
                  .setUploadPreKeys(
                      Msg.upload(2, 1).toBuilder().setSignedPreKey(Msg.signed(2, 31))),
              ErrorCode.INVALID_PRE_KEYS));
      cases.put(
          "short KEM key",
          Map.entry(
              Frame.newBuilder()
                  .setUploadPreKeys(
                      Msg.upload(2, 1).toBuilder().setLastResortKemPreKey(Msg.signed(3, 1183))),
              ErrorCode.INVALID_PRE_KEYS));
      cases.put(
          "over 200 one-time keys",
          Map.entry(
              Frame.newBuilder().setUploadPreKeys(Msg.upload(201, 1)), ErrorCode.INVALID_PRE_KEYS));
      cases.put(
          "upload for device 2",
          Map.entry(
              Frame.newBuilder().setUploadPreKeys(Msg.upload(2, 1).toBuilder().setDeviceId(2)),
              ErrorCode.INVALID_REQUEST));
      for (Map.Entry<String, Map.Entry<Frame.Builder, ErrorCode>> c : cases.entrySet()) {
        Frame f = a.request(c.getValue().getKey());
        assertThat(TestClient.code(f)).as(c.getKey()).isEqualTo(c.getValue().getValue());
        assertThat(f.getError().getMessage()).as(c.getKey()).isNotBlank();
      }
      // Nothing was stored for bob, and alice still works.
      assertThat(a.ping()).isTrue();
      byte[] id = Msg.newId();
      assertThat(Msg.send(a, bob, id, Msg.randomBytes(8)).hasStored()).isTrue();
      assertThat(Msg.nextDelivery(b).getMessagePush().getEnvelope().getMessageId().toByteArray())
          .isEqualTo(id);
      assertThat(a.request(Frame.newBuilder().setUploadPreKeys(Msg.upload(2, 1))).hasOk()).isTrue();
    }
  }

  @Test
  void smallQuotas_mailboxFull_andFetchRateLimited(@TempDir Path dir) throws Exception {
    MessagingConfig mc =
        MessagingConfig.defaults()
            .withMailbox(new Mailboxes.Limits(3, 1 << 20, Duration.ofDays(1), 100))
            .withPreKeys(new PreKeyDirectory.Limits(200, 20, 2, 0.01, 100, 1.0, 1000));
    try (SottoServer small =
        SottoServer.start(ServerIT.testConfig(dir.resolve("data")).withMessaging(mc))) {
      int p = small.port();
      try (TestClient a = Msg.registered(p, "alice", TestClient.randomKey());
          TestClient b = Msg.registered(p, "bob", TestClient.randomKey())) {
        assertThat(Msg.logout(b).hasOk()).isTrue();
        for (int i = 0; i < 3; i++) {
          assertThat(Msg.send(a, "bob", Msg.newId(), Msg.randomBytes(10)).hasStored()).isTrue();
        }
        Frame full = Msg.send(a, "bob", Msg.newId(), Msg.randomBytes(10));
        assertThat(TestClient.code(full)).isEqualTo(ErrorCode.MAILBOX_FULL);
        assertThat(a.request(Frame.newBuilder().setUploadPreKeys(Msg.upload(5, 1))).hasOk())
            .isTrue();
        assertThat(Msg.fetch(a, "alice").hasPreKeyBundle()).isTrue();
        assertThat(Msg.fetch(a, "alice").hasPreKeyBundle()).isTrue();
        Frame limited = Msg.fetch(a, "alice");
        assertThat(TestClient.code(limited)).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(limited.getError().getRetryAfterMs()).isPositive();
        assertThat(a.ping()).isTrue();
      }
    }
  }

  @Test
  void sendLimits_refusedWithRetryTime_nothingStored_otherSendersUnaffected(@TempDir Path dir)
      throws Exception {
    // Per account: 5 messages at once, then one per hour; 1 MiB at once, then one byte per second.
    ServerConfig base = ServerIT.testConfig(dir.resolve("data"));
    ServerConfig config =
        base.withThrottles(
            base.throttles()
                .withSend(
                    new dev.sotto.server.throttle.RateLimiter.Config(5, Duration.ofHours(1), 1000),
                    dev.sotto.server.throttle.Throttles.Config.sendBytesLimit(1 << 20, 1)));
    try (SottoServer limited = SottoServer.start(config)) {
      int p = limited.port();
      byte[] bobKey = TestClient.randomKey();
      List<byte[]> storedIds = new ArrayList<>();
      try (TestClient a = Msg.registered(p, "alice", TestClient.randomKey());
          TestClient c = Msg.registered(p, "carol", TestClient.randomKey());
          TestClient d = Msg.registered(p, "dave", TestClient.randomKey())) {
        try (TestClient b = Msg.registered(p, "bob", bobKey)) {
          assertThat(Msg.logout(b).hasOk()).isTrue();
        }
        // Bytes: four envelopes of 250,000 bytes fit in 1 MiB, a fifth does not (a message is
        // left).
        for (int i = 0; i < 4; i++) {
          byte[] id = Msg.newId();
          Frame stored = Msg.send(c, "bob", id, Msg.randomBytes(250_000));
          assertThat(stored.hasStored()).as("%d: %s", i, stored.getError()).isTrue();
          storedIds.add(id);
        }
        byte[] refusedId = Msg.newId();
        Frame tooMuch = Msg.send(c, "bob", refusedId, Msg.randomBytes(250_000));
        assertThat(TestClient.code(tooMuch)).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(tooMuch.getError().getRetryAfterMs())
            .as("~200,000 bytes at 1 B/s")
            .isGreaterThan(100_000_000L);
        assertThat(c.ping()).isTrue();
        // Count: alice's sixth message is refused, however small.
        for (int i = 0; i < 5; i++) {
          byte[] id = Msg.newId();
          assertThat(Msg.send(a, "bob", id, Msg.randomBytes(10)).hasStored()).isTrue();
          storedIds.add(id);
        }
        byte[] countRefusedId = Msg.newId();
        Frame tooMany = Msg.send(a, "bob", countRefusedId, Msg.randomBytes(10));
        assertThat(TestClient.code(tooMany)).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(tooMany.getError().getRetryAfterMs()).isBetween(1L, 3_600_000L);
        // dave has his own budget.
        byte[] daveId = Msg.newId();
        assertThat(Msg.send(d, "bob", daveId, Msg.randomBytes(10)).hasStored()).isTrue();
        storedIds.add(daveId);
      }
      try (TestClient b = Msg.session(p, "bob", bobKey, false)) {
        Msg.Backlog backlog = Msg.backlog(b);
        List<byte[]> pushed =
            backlog.pushes().stream().map(e -> e.getMessageId().toByteArray()).toList();
        assertThat(pushed).as("the refused messages were not stored").hasSize(10);
        for (int i = 0; i < storedIds.size(); i++) {
          assertThat(pushed.get(i)).isEqualTo(storedIds.get(i));
        }
        assertThat(backlog.summary().getCountsList())
            .extracting(x -> x.getSender() + "=" + x.getCount())
            .containsExactly("alice=5", "carol=4", "dave=1");
      }
    }
  }
}
