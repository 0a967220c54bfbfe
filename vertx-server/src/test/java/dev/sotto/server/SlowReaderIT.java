package dev.sotto.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.sotto.server.net.NetConfig;
import dev.sotto.server.throttle.RateLimiter;
import dev.sotto.wire.proto.Block;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.PresenceState;
import dev.sotto.wire.proto.SetPresence;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow readers: a logged-in client that stops reading its socket is closed once its outbound queue
 * passes the per-connection limit (unthrottled pushes) or stays full past the slow-reader timeout
 * (flow-controlled message pushes; presence pushes of many users), while another user keeps
 * working, the global budget of queued bytes is never passed, and no message is lost. Small limits
 * (32 KiB frames, 40 KiB per connection, 160 KiB for all; 300 KiB frames for the message case), a
 * small client receive window, socket timeouts and a preemptive timeout on every test keep it fast
 * and make a hang impossible.
 */
class SlowReaderIT {

  private static final int FRAME = 32 * 1024;
  private static final long PER_CONNECTION = 40 * 1024;
  private static final long GLOBAL = 160 * 1024;
  private static final int BIG_FRAME = 300 * 1024;
  private static final long BIG_PER_CONNECTION = 320 * 1024;
  private static final long BIG_GLOBAL = 1024 * 1024;

  @TempDir Path temp;

  private SottoServer start(Duration slowReaderTimeout) throws Exception {
    return start(slowReaderTimeout, FRAME, PER_CONNECTION, GLOBAL);
  }

  private SottoServer start(Duration slowReaderTimeout, int frame, long perConnection, long global)
      throws Exception {
    return SottoServer.start(
        ServerIT.testConfig(temp.resolve("data"))
            .withNet(net(slowReaderTimeout, frame, perConnection, global)));
  }

  private static NetConfig net(
      Duration slowReaderTimeout, int frame, long perConnection, long global) {
    NetConfig d = NetConfig.defaults();
    return new NetConfig(
        16 * 1024,
        frame,
        Duration.ofSeconds(10),
        Duration.ofSeconds(90),
        d.tlsHandshakeTimeout(),
        slowReaderTimeout,
        perConnection,
        global,
        d.maxInFlight(),
        100,
        Duration.ofSeconds(1));
  }

  /** Samples the global budget in the background and remembers the most it saw in use. */
  private static final class BudgetWatch implements AutoCloseable {
    final AtomicLong max = new AtomicLong();
    final AtomicBoolean stop = new AtomicBoolean();
    final Thread thread;

    BudgetWatch(SottoServer server) {
      thread =
          new Thread(
              () -> {
                while (!stop.get()) {
                  max.accumulateAndGet(server.hub().budget().used(), Math::max);
                  java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                }
              },
              "budget-watch");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      stop.set(true);
      thread.join(2000);
    }
  }

  private static void awaitOffline(SottoServer server, String user, Duration within)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (server.hub().registry().isOnline(user) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(server.hub().registry().isOnline(user))
        .as("%s still connected after %s", user, within)
        .isFalse();
  }

  @Test
  void stalledRecipientOfMessages_closedAfterSlowReaderTimeout_othersWork_nothingLost() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(90),
        () -> {
          try (SottoServer server =
                  start(Duration.ofSeconds(2), BIG_FRAME, BIG_PER_CONNECTION, BIG_GLOBAL);
              BudgetWatch watch = new BudgetWatch(server)) {
            int port = server.port();
            byte[] slothKey = TestClient.randomKey();
            TestClient alice = Msg.registered(port, "alice", TestClient.randomKey());
            TestClient sloth = TestClient.connectWithReceiveBuffer(port, 4096);
            sloth.hello();
            assertThat(sloth.register("sloth", slothKey).hasLoginOk()).isTrue();
            Msg.backlog(sloth);
            // From here sloth never reads. Alice sends 40 messages of 250 KB (10 MB),
            // more than the kernel's socket buffers hold.
            List<byte[]> ids = new ArrayList<>();
            long start = System.nanoTime();
            long worstMs = 0;
            for (int i = 0; i < 40; i++) {
              byte[] id = Msg.newId();
              ids.add(id);
              long t0 = System.nanoTime();
              Frame stored = Msg.send(alice, "sloth", id, Msg.randomBytes(250_000));
              worstMs = Math.max(worstMs, (System.nanoTime() - t0) / 1_000_000);
              assertThat(stored.hasStored()).as("send %d: %s", i, stored).isTrue();
            }
            System.out.printf(
                "sent 40 x 250 KB in %d ms%n", (System.nanoTime() - start) / 1_000_000);
            awaitOffline(server, "sloth", Duration.ofSeconds(20));
            System.out.printf(
                "sloth closed after %d ms%n", (System.nanoTime() - start) / 1_000_000);
            assertThat(server.hub().slowReaderCloses()).isEqualTo(1);
            assertThat(alice.ping()).isTrue();
            assertThat(worstMs).as("alice's slowest send while sloth stalled").isLessThan(5000);
            sloth.close();
            watch.close();
            assertThat(watch.max.get()).isPositive().isLessThanOrEqualTo(BIG_GLOBAL);
            // Nothing was lost: a new session of sloth is told all 40 wait, and the oldest comes
            // first. (Reading all 10 MB one push at a time under these tiny limits would only
            // slow the suite; MessagingIT checks full backlogs.)
            try (TestClient again = Msg.session(port, "sloth", slothKey, false)) {
              Frame summary = Msg.nextDelivery(again);
              assertThat(summary.getBacklogSummary().getCounts(0).getCount()).isEqualTo(40);
              Frame first = Msg.nextDelivery(again);
              assertThat(first.getMessagePush().getEnvelope().getMessageId().toByteArray())
                  .isEqualTo(ids.get(0));
            }
            alice.close();
            awaitQuiet(server);
          }
        });
  }

  @Test
  void stalledRecipientOfPresencePushes_closedAtThePerConnectionLimit_othersWork() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(90),
        () -> {
          try (SottoServer server = startForPresenceFlood();
              BudgetWatch watch = new BudgetWatch(server)) {
            int port = server.port();
            TestClient alice = Msg.registered(port, "alice", TestClient.randomKey());
            TestClient sloth = TestClient.connectWithReceiveBuffer(port, 4096);
            sloth.hello();
            assertThat(sloth.register("sloth", TestClient.randomKey()).hasLoginOk()).isTrue();
            // Many users change presence; each change is a push to sloth, who watches them all and
            // never reads. One user's changes are limited and coalesced, so the flood needs many
            // users. They block each other and alice (a leftover of the time every login watched
            // everyone; alice watches nobody). The slow reader timeout is 60 s, so only the
            // per-connection limit can close sloth in time.
            List<String> names = new ArrayList<>();
            List<TestClient> flippers = new ArrayList<>();
            for (int i = 0; i < FLIPPERS; i++) {
              names.add("flipper" + i);
              flippers.add(Msg.registered(port, names.get(i), TestClient.randomKey()));
            }
            sloth.sendRequest(
                Frame.newBuilder()
                    .setWatchPresence(
                        dev.sotto.wire.proto.WatchPresence.newBuilder().addAllUsernames(names)));
            for (TestClient f : flippers) {
              List<Frame.Builder> blocks = new ArrayList<>();
              for (String other : names) {
                String target = other.equals(names.get(flippers.indexOf(f))) ? "alice" : other;
                blocks.add(Frame.newBuilder().setBlock(Block.newBuilder().setUsername(target)));
              }
              for (Frame answer : f.pipelined(blocks)) {
                assertThat(answer.hasOk()).as("%s", answer).isTrue();
              }
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int flips = 0;
            List<Frame.Builder> flip =
                List.of(presence(PresenceState.AWAY), presence(PresenceState.ONLINE));
            while (server.hub().registry().isOnline("sloth") && System.nanoTime() < deadline) {
              for (TestClient f : flippers) {
                for (Frame answer : f.pipelined(flip)) {
                  assertThat(answer.hasOk()).as("%s", answer).isTrue();
                }
              }
              flips += flip.size() * FLIPPERS;
            }
            System.out.printf("sloth closed after %d presence changes%n", flips);
            awaitOffline(server, "sloth", Duration.ofSeconds(5));
            assertThat(server.hub().outboundBudgetCloses()).isEqualTo(1);
            assertThat(server.hub().slowReaderCloses()).isZero();
            assertThat(alice.ping()).isTrue();
            watch.close();
            assertThat(watch.max.get()).isLessThanOrEqualTo(GLOBAL);
            for (TestClient f : flippers) {
              f.close();
            }
            sloth.close();
            alice.close();
            awaitQuiet(server);
          }
        });
  }

  private static final int FLIPPERS = 8;

  /** A server for the presence flood: no presence rate limit, a push interval of 2 ms. */
  private SottoServer startForPresenceFlood() throws Exception {
    RateLimiter.Config wide = new RateLimiter.Config(100_000, Duration.ofMillis(1), 100_000);
    ServerConfig base = ServerIT.testConfig(temp.resolve("data"));
    return SottoServer.start(
        base.withNet(net(Duration.ofSeconds(60), FRAME, PER_CONNECTION, GLOBAL))
            .withThrottles(base.throttles().withPresence(wide))
            .withMessaging(base.messaging().withPresencePushInterval(Duration.ofMillis(2))));
  }

  private static Frame.Builder presence(PresenceState p) {
    return Frame.newBuilder().setSetPresence(SetPresence.newBuilder().setPresence(p));
  }

  /** Once everyone is gone, nothing stays reserved in the global budget. */
  private static void awaitQuiet(SottoServer server) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (server.hub().budget().used() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(server.hub().budget().used()).isZero();
  }
}
