package dev.sotto.client.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sotto.client.core.ServerAddress;
import dev.sotto.client.core.messaging.ConnectionStatus;
import dev.sotto.client.core.messaging.Message;
import dev.sotto.client.core.messaging.MessageState;
import dev.sotto.client.core.messaging.MessengerEvent;
import dev.sotto.client.core.messaging.Outgoing;
import dev.sotto.server.MessagingConfig;
import dev.sotto.server.ServerConfig;
import dev.sotto.server.SottoServer;
import dev.sotto.server.delivery.DeliveryService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Messages the client cannot process at once are committed (sealed) to the local store: a first
 * message written while the server is away, and messages from a contact whose identity changed.
 */
class PendingMessagesIT {

  /** The server's in-flight push limit in these tests (the default is 1,000). */
  static final int IN_FLIGHT = 20;

  @TempDir Path tmp;
  SottoServer server;
  ServerAddress address;

  ServerConfig serverConfig(int port) {
    MessagingConfig d = MessagingConfig.defaults();
    DeliveryService.Settings s = DeliveryService.Settings.defaults();
    return ServerConfig.defaults(tmp.resolve("server"))
        .withListen("127.0.0.1", port)
        .withEventLoops(1)
        .withMessaging(
            new MessagingConfig(
                d.mailbox(),
                d.preKeys(),
                new DeliveryService.Settings(s.backlogPageSize(), IN_FLIGHT, s.maxAckIds()),
                d.sweepInterval(),
                d.maxListedUsers(),
                d.presencePushInterval()));
  }

  void startServer(int port) throws Exception {
    server = SottoServer.start(serverConfig(port));
    address = new ServerAddress("127.0.0.1", server.port());
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
  void firstMessageWhileServerAway_survivesClose_deliveredOnceInOrderAfterRestart()
      throws Exception {
    startServer(0);
    try (Peer alice = peer("alice").register();
        Peer bob = peer("bob").register()) {
      server.close();
      server = null;
      alice.await(
          MessengerEvent.ConnectionChanged.class,
          c -> c.status() instanceof ConnectionStatus.Reconnecting,
          10);
      // No session with bob yet: it needs his bundle from the server.
      Outgoing first = alice.m().send("bob", "first while away");
      Outgoing second = alice.m().send("bob", "second while away");
      Message one = first.committed().get(10, TimeUnit.SECONDS);
      Message two = second.committed().get(10, TimeUnit.SECONDS);
      assertThat(one.state()).isEqualTo(MessageState.SENDING);
      assertThat(alice.m().history("bob", Long.MAX_VALUE, 10))
          .extracting(Message::text, Message::state)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("first while away", MessageState.SENDING),
              org.assertj.core.groups.Tuple.tuple("second while away", MessageState.SENDING));
      alice.close();
      assertThatThrownBy(() -> first.stored().get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class);
      // Sealed at rest like every record: the text is nowhere in the store's files.
      assertThat(filesContain(tmp.resolve("machine-alice"), "first while away")).isFalse();

      startServer(address.port());
      alice.login();
      alice.awaitState(two.id(), MessageState.DELIVERED, 20);
      Message third = alice.m().send("bob", "third").stored().get(10, TimeUnit.SECONDS);
      bob.awaitTexts(3, 20);
      Thread.sleep(500); // a duplicate would arrive now
      assertThat(bob.received())
          .extracting(Message::text)
          .containsExactly("first while away", "second while away", "third");
      assertThat(bob.received().get(0).id()).isEqualTo(one.id());
      alice.awaitState(third.id(), MessageState.DELIVERED, 10);
      assertThat(alice.m().history("bob", Long.MAX_VALUE, 10))
          .extracting(Message::text)
          .containsExactly("first while away", "second while away", "third");
      assertThat(alice.m().history("bob", Long.MAX_VALUE, 10).get(0).state())
          .isIn(MessageState.STORED, MessageState.DELIVERED);
    }
  }

  @Test
  void moreThanInFlightFromChangedIdentity_othersStillDelivered_thenReleasedOnTrust()
      throws Exception {
    startServer(0);
    int n = IN_FLIGHT + 15;
    try (Peer alice = peer("alice").register();
        Peer bob = peer("bob").register();
        Peer carol = peer("carol").register()) {
      alice.m().send("bob", "hi").stored().get(10, TimeUnit.SECONDS);
      bob.awaitTexts(1, 10);
      bob.m().resetKeys().get(20, TimeUnit.SECONDS);
      // Bob's new identity: alice holds these until she trusts it.
      List<Message> sent = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        sent.add(bob.m().send("alice", "held-from-bob-" + i).stored().get(10, TimeUnit.SECONDS));
      }
      alice.await(MessengerEvent.IdentityChanged.class, c -> c.user().equals("bob"), 10);
      Message fromCarol = carol.m().send("alice", "from carol").stored().get(10, TimeUnit.SECONDS);
      List<Message> got = alice.awaitTexts(1, 20);
      assertThat(got).extracting(Message::text).containsExactly("from carol");
      carol.awaitState(fromCarol.id(), MessageState.DELIVERED, 10);

      // Held across a restart, sealed in the store; then released by trust, in order, once.
      alice.close();
      assertThat(filesContain(tmp.resolve("machine-alice"), "held-from-bob-0")).isFalse();
      alice.login();
      alice.m().trust("bob").get(20, TimeUnit.SECONDS);
      List<String> want = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        want.add("held-from-bob-" + i);
      }
      assertThat(alice.awaitTexts(n, 20)).extracting(Message::text).isEqualTo(want);
      bob.awaitState(sent.get(n - 1).id(), MessageState.DELIVERED, 20);
      Thread.sleep(500); // a duplicate would arrive now
      assertThat(alice.received()).hasSize(n);
      assertThat(
              alice.m().history("bob", Long.MAX_VALUE, 1000).stream()
                  .filter(Message::incoming)
                  .map(Message::text)
                  .toList())
          .isEqualTo(want);
    }
  }

  /** Whether any file under {@code dir} contains {@code text} in UTF-8. */
  static boolean filesContain(Path dir, String text) throws Exception {
    byte[] needle = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        byte[] b = Files.readAllBytes(f);
        for (int i = 0; i + needle.length <= b.length; i++) {
          if (java.util.Arrays.equals(b, i, i + needle.length, needle, 0, needle.length)) {
            return true;
          }
        }
      }
    }
    return false;
  }
}
