package dev.sotto.client.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sotto.client.core.ServerAddress;
import dev.sotto.client.core.messaging.ConnectionStatus;
import dev.sotto.client.core.messaging.ConversationSummary;
import dev.sotto.client.core.messaging.IdentityChangedException;
import dev.sotto.client.core.messaging.Message;
import dev.sotto.client.core.messaging.MessageId;
import dev.sotto.client.core.messaging.MessageState;
import dev.sotto.client.core.messaging.MessengerEvent;
import dev.sotto.client.core.messaging.Presence;
import dev.sotto.client.core.messaging.SafetyNumberView;
import dev.sotto.client.core.messaging.UserInfo;
import dev.sotto.keystore.store.StoreLockedException;
import dev.sotto.server.ServerConfig;
import dev.sotto.server.SottoServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The messaging core driven in-process against the real server (started on 127.0.0.1), each user on
 * its own "machine" directory. See {@link Peer} for the lowered test costs.
 */
class MessengerIT {

  @TempDir Path tmp;
  SottoServer server;
  ServerAddress address;

  @BeforeEach
  void start() throws Exception {
    server = SottoServer.start(serverConfig(0));
    address = new ServerAddress("127.0.0.1", server.port());
  }

  ServerConfig serverConfig(int port) {
    return ServerConfig.defaults(tmp.resolve("server"))
        .withListen("127.0.0.1", port)
        .withEventLoops(1);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  Peer peer(String name) {
    return new Peer(tmp.resolve("machine-" + name), address, name);
  }

  @Test
  void offlineRecipient_readsAfterLogin_thenLiveReply_deliveredThenRead() throws Exception {
    try (Peer alice = peer("alice").register();
        Peer bob = peer("bob").register()) {
      bob.close();

      Message sent = alice.m().send("bob", "hello bob").stored().get(10, TimeUnit.SECONDS);
      assertThat(sent.state()).isEqualTo(MessageState.STORED);
      assertThat(sent.text()).isEqualTo("hello bob");

      bob.login();
      MessengerEvent.BacklogSummary summary =
          bob.await(MessengerEvent.BacklogSummary.class, s -> true, 10);
      assertThat(summary.counts()).containsExactly(new MessengerEvent.SenderCount("alice", 1));
      List<Message> got = bob.awaitTexts(1, 10);
      assertThat(got.get(0).text()).isEqualTo("hello bob");
      assertThat(got.get(0).sender()).isEqualTo("alice");
      assertThat(got.get(0).id()).isEqualTo(sent.id());
      bob.await(MessengerEvent.BacklogDone.class, d -> true, 10);
      alice.awaitState(sent.id(), MessageState.DELIVERED, 10);

      // The unread count is in the local store: it survives a restart.
      bob.close();
      bob.login();
      assertThat(bob.m().conversations())
          .extracting(ConversationSummary::peer, ConversationSummary::unread)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("alice", 1));
      assertThat(bob.m().history("alice", Long.MAX_VALUE, 10))
          .extracting(Message::text, Message::state)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("hello bob", MessageState.UNREAD));

      bob.m().markRead("alice").get(10, TimeUnit.SECONDS);
      assertThat(bob.m().conversations().get(0).unread()).isZero();
      alice.awaitState(sent.id(), MessageState.READ, 10);

      Message reply = bob.m().send("alice", "hi alice").stored().get(10, TimeUnit.SECONDS);
      List<Message> atAlice = alice.awaitTexts(1, 10);
      assertThat(atAlice.get(0).text()).isEqualTo("hi alice");
      bob.awaitState(reply.id(), MessageState.DELIVERED, 10);
      alice.m().markRead("bob").get(10, TimeUnit.SECONDS);
      bob.awaitState(reply.id(), MessageState.READ, 10);
      assertThat(bob.m().history("alice", Long.MAX_VALUE, 10))
          .extracting(Message::text, Message::state)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("hello bob", MessageState.SEEN),
              org.assertj.core.groups.Tuple.tuple("hi alice", MessageState.READ));
    }
  }

  @Test
  void secondMessengerOnTheSameStore_refusedClearly() throws Exception {
    try (Peer alice = peer("alice").register()) {
      Peer again = new Peer(tmp.resolve("machine-alice"), address, "alice");
      assertThatThrownBy(again::login)
          .isInstanceOf(StoreLockedException.class)
          .hasMessageContaining("in use");
      // The first one still works.
      assertThat(alice.m().users().get(10, TimeUnit.SECONDS))
          .extracting(UserInfo::name)
          .contains("alice");
    }
  }

  @Test
  void blockedSender_neverReachesBlocker() throws Exception {
    try (Peer alice = peer("alice").register();
        Peer bob = peer("bob").register()) {
      bob.m().block("alice").get(10, TimeUnit.SECONDS);
      Message sent = alice.m().send("bob", "let me in").stored().get(10, TimeUnit.SECONDS);
      assertThat(sent.state()).isEqualTo(MessageState.STORED);
      Thread.sleep(1500);
      assertThat(bob.received()).isEmpty();
      bob.close();
      bob.login();
      bob.await(MessengerEvent.BacklogDone.class, d -> true, 10);
      Thread.sleep(300);
      assertThat(bob.received()).isEmpty();
      assertThat(alice.sawState(sent.id(), MessageState.DELIVERED)).isFalse();
      assertThat(alice.m().users().get(10, TimeUnit.SECONDS))
          .filteredOn(u -> u.name().equals("alice"))
          .extracting(UserInfo::blocked)
          .containsExactly(false);
      assertThat(bob.m().users().get(10, TimeUnit.SECONDS))
          .filteredOn(u -> u.name().equals("alice"))
          .extracting(UserInfo::blocked)
          .containsExactly(true);

      bob.m().unblock("alice").get(10, TimeUnit.SECONDS);
      alice.m().send("bob", "now?").stored().get(10, TimeUnit.SECONDS);
      assertThat(bob.awaitTexts(1, 10)).extracting(Message::text).containsExactly("now?");
    }
  }

  @Test
  void doNotDisturb_holdsThenDelivers_andPresenceShowsInList() throws Exception {
    try (Peer alice = peer("alice").register();
        Peer bob = peer("bob").register()) {
      assertThat(alice.m().users().get(10, TimeUnit.SECONDS))
          .contains(new UserInfo("bob", Presence.ONLINE, false));
      // No conversation yet: presence changes reach alice once she watches bob.
      alice.m().watchPresence("bob").get(10, TimeUnit.SECONDS);

      bob.m().setPresence(Presence.DND).get(10, TimeUnit.SECONDS);
      alice.await(
          MessengerEvent.PresenceChanged.class,
          p -> p.user().equals("bob") && p.presence() == Presence.DND,
          10);
      assertThat(alice.m().users().get(10, TimeUnit.SECONDS))
          .contains(new UserInfo("bob", Presence.DND, false));

      Message held = alice.m().send("bob", "when you have time").stored().get(10, TimeUnit.SECONDS);
      MessengerEvent.MessageHeld told =
          alice.await(MessengerEvent.MessageHeld.class, h -> h.id().equals(held.id()), 10);
      assertThat(told.recipientPresence()).isEqualTo(Presence.DND);
      Thread.sleep(1500);
      assertThat(bob.received()).isEmpty();

      bob.m().setPresence(Presence.ONLINE).get(10, TimeUnit.SECONDS);
      assertThat(bob.awaitTexts(1, 10))
          .extracting(Message::text)
          .containsExactly("when you have time");

      bob.close();
      alice.await(
          MessengerEvent.PresenceChanged.class,
          p -> p.user().equals("bob") && p.presence() == Presence.OFFLINE,
          10);
      assertThat(alice.m().users().get(10, TimeUnit.SECONDS))
          .contains(new UserInfo("bob", Presence.OFFLINE, false));
    }
  }

  @Test
  void presence_watchesConversationPeers_atLoginReconnectAndNewConversations() throws Exception {
    try (Peer alice = peer("alice").register();
        Peer bob = peer("bob").register();
        Peer carol = peer("carol").register();
        Peer dave = peer("dave").register()) {
      carol.m().setPresence(Presence.AWAY).get(10, TimeUnit.SECONDS);
      bob.m().setPresence(Presence.DND).get(10, TimeUnit.SECONDS);
      Thread.sleep(700);
      assertThat(alice.events())
          .as("no conversations, so no presence pushes")
          .noneMatch(e -> e instanceof MessengerEvent.PresenceChanged);

      // A first message to bob makes a conversation: watched, and his presence comes at once.
      alice.m().send("bob", "hi bob").stored().get(10, TimeUnit.SECONDS);
      awaitPresence(alice, "bob", Presence.DND);
      // A first message from dave too.
      dave.m().send("alice", "hi alice").stored().get(10, TimeUnit.SECONDS);
      awaitPresence(alice, "dave", Presence.ONLINE);

      // At login the store's conversations are watched (the server answers with a snapshot).
      alice.close();
      alice.login();
      awaitPresence(alice, "bob", Presence.DND);
      awaitPresence(alice, "dave", Presence.ONLINE);
      // And after a reconnect.
      alice.clearEvents();
      alice.m().dropConnection();
      awaitPresence(alice, "bob", Presence.DND);
      bob.m().setPresence(Presence.ONLINE).get(10, TimeUnit.SECONDS);
      awaitPresence(alice, "bob", Presence.ONLINE);

      // A conversation opened by name before its first message (the TUI's !talk).
      alice.m().watchPresence("carol").get(10, TimeUnit.SECONDS);
      awaitPresence(alice, "carol", Presence.AWAY);
    }
  }

  private static void awaitPresence(Peer peer, String user, Presence p)
      throws InterruptedException {
    peer.await(
        MessengerEvent.PresenceChanged.class, e -> e.user().equals(user) && e.presence() == p, 10);
  }

  @Test
  void resetKeys_peerSeesChangedIdentity_sendBlockedUntilTrust() throws Exception {
    try (Peer alice = peer("alice").register();
        Peer bob = peer("bob").register()) {
      alice.m().send("bob", "one").stored().get(10, TimeUnit.SECONDS);
      bob.awaitTexts(1, 10);
      SafetyNumberView before = alice.m().safetyNumber("bob").get(10, TimeUnit.SECONDS);
      SafetyNumberView bobsView = bob.m().safetyNumber("alice").get(10, TimeUnit.SECONDS);
      assertThat(before.number()).isEqualTo(bobsView.number());
      assertThat(alice.m().verify("bob", "12345").get(10, TimeUnit.SECONDS)).isFalse();
      assertThat(alice.m().verify("bob", bobsView.number()).get(10, TimeUnit.SECONDS)).isTrue();
      assertThat(alice.m().safetyNumber("bob").get(10, TimeUnit.SECONDS).trust())
          .isEqualTo(SafetyNumberView.Trust.VERIFIED);

      bob.m().resetKeys().get(20, TimeUnit.SECONDS);
      // Alice still has the old session: bob cannot read it and asks for a reset, which carries
      // his new identity; alice holds it until she trusts him.
      alice.m().send("bob", "two").stored().get(10, TimeUnit.SECONDS);
      bob.await(MessengerEvent.Undecryptable.class, u -> u.peer().equals("alice"), 10);
      MessengerEvent.IdentityChanged changed =
          alice.await(MessengerEvent.IdentityChanged.class, c -> c.user().equals("bob"), 10);
      assertThat(changed.safetyNumber()).isNotEqualTo(before.number());

      assertThatThrownBy(() -> alice.m().send("bob", "three").committed().get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(IdentityChangedException.class);
      assertThat(alice.m().safetyNumber("bob").get(10, TimeUnit.SECONDS))
          .extracting(SafetyNumberView::trust, SafetyNumberView::number)
          .containsExactly(SafetyNumberView.Trust.CHANGED, changed.safetyNumber());

      alice.m().trust("bob").get(10, TimeUnit.SECONDS);
      Message four = alice.m().send("bob", "four").stored().get(10, TimeUnit.SECONDS);
      // "two" was shown as undecryptable.
      assertThat(bob.awaitTexts(3, 10))
          .extracting(m -> m.kind() == Message.Kind.TEXT ? m.text() : m.kind().name())
          .containsExactly("one", "UNDECRYPTABLE", "four");
      alice.awaitState(four.id(), MessageState.DELIVERED, 10);
    }
  }

  @Test
  void connectionDrop_reconnectsWithBackoff_andResendsOutbox() throws Exception {
    try (Peer alice = peer("alice").register();
        Peer bob = peer("bob").register()) {
      alice.m().send("bob", "before").stored().get(10, TimeUnit.SECONDS);
      server.close();
      server = null;
      alice.await(
          MessengerEvent.ConnectionChanged.class,
          c -> c.status() instanceof ConnectionStatus.Reconnecting,
          10);
      var pending = alice.m().send("bob", "while down");
      Message committed = pending.committed().get(10, TimeUnit.SECONDS);
      assertThat(committed.state()).isEqualTo(MessageState.SENDING);
      assertThat(pending.stored()).isNotDone();

      server = SottoServer.start(serverConfig(address.port()));
      assertThat(pending.stored().get(20, TimeUnit.SECONDS).state()).isEqualTo(MessageState.STORED);
      assertThat(alice.m().connectionStatus()).isInstanceOf(ConnectionStatus.Online.class);
      assertThat(bob.awaitTexts(2, 20))
          .extracting(Message::text)
          .containsExactly("before", "while down");
    }
  }

  @Test
  void sendLimit_rateLimitedMessagesWaitAndGoOnce_inOrder_withOneNotice() throws Exception {
    // 4 messages at once per account, then one every 1.5 s: a burst of 7 is refused in part.
    server.close();
    ServerConfig base = serverConfig(address.port());
    server =
        SottoServer.start(
            base.withThrottles(
                base.throttles()
                    .withSend(
                        new dev.sotto.server.throttle.RateLimiter.Config(
                            4, java.time.Duration.ofMillis(1500), 1000),
                        base.throttles().sendBytes())));
    int n = 7;
    try (Peer alice = peer("alice").register();
        Peer bob = peer("bob").register()) {
      List<java.util.concurrent.CompletableFuture<Message>> stored = new java.util.ArrayList<>();
      List<String> sent = new java.util.ArrayList<>();
      for (int i = 0; i < n; i++) {
        sent.add("burst " + i);
        stored.add(alice.m().send("bob", "burst " + i).stored());
      }
      List<MessageId> ids = new java.util.ArrayList<>();
      for (var f : stored) {
        Message m = f.get(60, TimeUnit.SECONDS);
        assertThat(m.state()).isEqualTo(MessageState.STORED);
        ids.add(m.id());
      }
      assertThat(bob.awaitTexts(n, 30)).extracting(Message::text).isEqualTo(sent);
      Thread.sleep(500); // a duplicate would arrive now
      List<Message> atBob = bob.received();
      assertThat(atBob).extracting(Message::text).as("once each, in order").isEqualTo(sent);
      assertThat(atBob).extracting(Message::id).as("resent under its own id").isEqualTo(ids);
      List<MessengerEvent.SendingPaused> notices =
          alice.events().stream()
              .filter(MessengerEvent.SendingPaused.class::isInstance)
              .map(MessengerEvent.SendingPaused.class::cast)
              .toList();
      assertThat(notices).as("one notice, not one per refused message").hasSize(1);
      assertThat(notices.get(0).reason()).isEqualTo("RATE_LIMITED");
      assertThat(notices.get(0).resumeIn()).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
      assertThat(alice.events())
          .as("no problem reported")
          .noneMatch(MessengerEvent.Problem.class::isInstance);
    }
  }

  @Test
  void thousandEachWay_exactlyOnceInOrder_acrossServerRestart() throws Exception {
    int n = 1000;
    try (Peer alice = peer("alice").register();
        Peer bob = peer("bob").register()) {
      List<java.util.concurrent.CompletableFuture<Message>> stored = new java.util.ArrayList<>();
      for (int i = 0; i < n; i++) {
        stored.add(alice.m().send("bob", "a" + i).stored());
        stored.add(bob.m().send("alice", "b" + i).stored());
        if (i == n / 2) {
          // Mid-stream: the server goes away and comes back on the same port and data.
          server.close();
          server = SottoServer.start(serverConfig(address.port()));
        }
      }
      for (var f : stored) {
        assertThat(f.get(120, TimeUnit.SECONDS).state()).isEqualTo(MessageState.STORED);
      }
      List<String> atBob = bob.awaitTexts(n, 120).stream().map(Message::text).toList();
      List<String> atAlice = alice.awaitTexts(n, 120).stream().map(Message::text).toList();
      List<String> wantAtBob = new java.util.ArrayList<>();
      List<String> wantAtAlice = new java.util.ArrayList<>();
      for (int i = 0; i < n; i++) {
        wantAtBob.add("a" + i);
        wantAtAlice.add("b" + i);
      }
      Thread.sleep(500); // a duplicate would arrive now
      assertThat(bob.received().stream().map(Message::text).toList()).isEqualTo(wantAtBob);
      assertThat(alice.received().stream().map(Message::text).toList()).isEqualTo(wantAtAlice);
      assertThat(atBob).isEqualTo(wantAtBob);
      assertThat(atAlice).isEqualTo(wantAtAlice);
      // And the local store agrees: 2n rows each, in order, no duplicate.
      List<Message> history = bob.m().history("alice", Long.MAX_VALUE, 10_000);
      assertThat(history).hasSize(2 * n);
      assertThat(history.stream().filter(Message::incoming).map(Message::text).toList())
          .isEqualTo(wantAtBob);
      assertThat(bob.m().conversations().get(0).unread()).isEqualTo(n);
    }
  }

  @Test
  void serverDataDirectory_holdsNoPlaintextAndNoSentBody() throws Exception {
    String marker = "PLAINTEXT-MARKER-" + java.util.UUID.randomUUID();
    byte[] body;
    try (Peer alice = peer("alice").register();
        Peer bob = peer("bob").register()) {
      bob.close();
      alice.m().send("bob", "warm-up").stored().get(10, TimeUnit.SECONDS);
      // Take the server away so the message waits in alice's outbox, where its body can be read.
      server.close();
      server = null;
      alice.m().send("bob", marker).committed().get(10, TimeUnit.SECONDS);
      alice.close();
      body = outboxBody(alice);
      server = SottoServer.start(serverConfig(address.port()));
      alice.login();
      alice.await(
          MessengerEvent.MessageStateChanged.class, e -> e.state() == MessageState.STORED, 20);
    }
    server.close(); // flush everything the server holds to its files
    server = null;
    byte[] plain = marker.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] window = java.util.Arrays.copyOfRange(body, body.length - 64, body.length);
    List<Path> files;
    try (var s = java.nio.file.Files.walk(tmp.resolve("server"))) {
      files = s.filter(java.nio.file.Files::isRegularFile).toList();
    }
    assertThat(files).isNotEmpty();
    for (Path f : files) {
      byte[] content = java.nio.file.Files.readAllBytes(f);
      assertThat(indexOf(content, plain)).as("plaintext in %s", f).isEqualTo(-1);
      assertThat(indexOf(content, window)).as("sent body in %s", f).isEqualTo(-1);
    }
  }

  @Test
  void droppedMessage_showsAsGapFromTheRatchetCounters() throws Exception {
    try (Peer alice = peer("alice").register();
        Peer bob = peer("bob").register()) {
      alice.m().send("bob", "first").stored().get(10, TimeUnit.SECONDS);
      bob.awaitTexts(1, 10);
      // "lost" is committed while the server is away, then removed from the outbox before it is
      // ever sent: to bob it is exactly a message the server dropped.
      server.close();
      server = null;
      alice.m().send("bob", "lost").committed().get(10, TimeUnit.SECONDS);
      alice.close();
      SottoServer probe = SottoServer.start(serverConfig(0));
      byte[] serverId = probe.serverId();
      probe.close();
      try (var keys =
              new AutoCloseableKeys(
                  dev.sotto.keystore.account.AccountKeys.derive(
                      alice.password, serverId, "alice", Peer.LOWERED));
          var store =
              dev.sotto.keystore.store.LocalStore.open(
                  dev.sotto.client.core.messaging.Messenger.storeDir(alice.config, "alice"),
                  keys.keys().storeKey());
          var tx = store.begin()) {
        var outbox = tx.outbox(10);
        assertThat(outbox).hasSize(1);
        tx.removeFromOutbox(outbox.get(0).seq());
        tx.commit();
      }
      server = SottoServer.start(serverConfig(address.port()));
      alice.login();
      alice.m().send("bob", "after").stored().get(20, TimeUnit.SECONDS);
      MessengerEvent.Gap gap = bob.await(MessengerEvent.Gap.class, g -> true, 20);
      assertThat(gap.peer()).isEqualTo("alice");
      assertThat(gap.missing()).isEqualTo(1);
      assertThat(bob.awaitTexts(2, 10)).extracting(Message::text).containsExactly("first", "after");
    }
  }

  @Test
  void crashBetweenNewIdentityAndUpload_nextLoginUploadsIt() throws Exception {
    try (Peer alice = peer("alice").register();
        Peer bob = peer("bob").register()) {
      alice.close();
      // What a crash right after resetkeys' commit leaves: a new identity the server never saw.
      try (var keys =
              new AutoCloseableKeys(
                  dev.sotto.keystore.account.AccountKeys.derive(
                      alice.password, server.serverId(), "alice", Peer.LOWERED));
          var store =
              dev.sotto.keystore.store.LocalStore.open(
                  dev.sotto.client.core.messaging.Messenger.storeDir(alice.config, "alice"),
                  keys.keys().storeKey())) {
        store.resetKeys(5, System.currentTimeMillis());
      }
      alice.login();
      bob.m().send("alice", "to the new identity").stored().get(10, TimeUnit.SECONDS);
      List<Message> got = alice.awaitTexts(1, 10);
      assertThat(got)
          .extracting(Message::kind, Message::text)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(Message.Kind.TEXT, "to the new identity"));
    }
  }

  /** Opens alice's closed local store with her store key and returns her outbox's last body. */
  private byte[] outboxBody(Peer p) throws Exception {
    byte[] serverId = server == null ? null : server.serverId();
    if (serverId == null) {
      SottoServer s = SottoServer.start(serverConfig(0));
      try {
        serverId = s.serverId();
      } finally {
        s.close();
      }
    }
    try (var keys =
            new AutoCloseableKeys(
                dev.sotto.keystore.account.AccountKeys.derive(
                    p.password, serverId, p.name, Peer.LOWERED));
        var store =
            dev.sotto.keystore.store.LocalStore.open(
                dev.sotto.client.core.messaging.Messenger.storeDir(p.config, p.name),
                keys.keys().storeKey())) {
      var outbox = store.outbox(10);
      assertThat(outbox).isNotEmpty();
      return outbox.get(outbox.size() - 1).ciphertext();
    }
  }

  private record AutoCloseableKeys(dev.sotto.keystore.account.AccountKeys keys)
      implements AutoCloseable {
    @Override
    public void close() {
      keys.destroy();
    }
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
