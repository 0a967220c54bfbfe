package dev.sotto.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.sotto.server.net.NetConfig;
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
 * (flow-controlled message pushes), while another user keeps working, the global budget of queued
 * bytes is never passed, and no message is lost. Small limits (32 KiB frames, 40 KiB per
 * connection, 160 KiB for all; 300 KiB frames for the message case), a small client receive window,
 * socket timeouts and a preemptive timeout on every test keep it fast and make a hang impossible.
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
    NetConfig d = NetConfig.defaults();
    NetConfig net =
        new NetConfig(
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
    return SottoServer.start(ServerIT.testConfig(temp.resolve("data")).withNet(net));
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
          try (SottoServer server = start(Duration.ofSeconds(60));
              BudgetWatch watch = new BudgetWatch(server)) {
            int port = server.port();
            TestClient alice = Msg.registered(port, "alice", TestClient.randomKey());
            TestClient sloth = TestClient.connectWithReceiveBuffer(port, 4096);
            sloth.hello();
            assertThat(sloth.register("sloth", TestClient.randomKey()).hasLoginOk()).isTrue();
            // Alice flips her presence; every flip is a push to sloth, who never reads. The slow
            // reader timeout is 60 s, so only the per-connection limit can close sloth in time.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int flips = 0;
            while (server.hub().registry().isOnline("sloth") && System.nanoTime() < deadline) {
              for (int i = 0; i < 200; i++, flips++) {
                alice.sendRequest(
                    Frame.newBuilder()
                        .setSetPresence(
                            SetPresence.newBuilder()
                                .setPresence(
                                    flips % 2 == 0 ? PresenceState.AWAY : PresenceState.ONLINE)));
              }
              assertThat(alice.ping()).isTrue();
            }
            awaitOffline(server, "sloth", Duration.ofSeconds(5));
            assertThat(server.hub().outboundBudgetCloses()).isEqualTo(1);
            assertThat(server.hub().slowReaderCloses()).isZero();
            assertThat(alice.ping()).isTrue();
            watch.close();
            assertThat(watch.max.get()).isLessThanOrEqualTo(GLOBAL);
            sloth.close();
            alice.close();
            awaitQuiet(server);
          }
        });
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
