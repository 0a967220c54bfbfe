package dev.sotto.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.sotto.keystore.store.Conversation;
import dev.sotto.keystore.store.Direction;
import dev.sotto.keystore.store.HistoryEntry;
import dev.sotto.wire.proto.Address;
import dev.sotto.wire.proto.Envelope;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientInboxTest {
  @TempDir Path dir;

  private static Envelope envelope(String sender, long n) {
    byte[] id = ByteBuffer.allocate(16).putLong(7).putLong(n).array();
    return Envelope.newBuilder()
        .setMessageId(ByteString.copyFrom(id))
        .setSender(Address.newBuilder().setUser(sender).setDeviceId(1))
        .setCiphertext(ByteString.copyFrom(new byte[] {(byte) n, 1, 2, 3}))
        .build();
  }

  private static List<Envelope> envelopes(String sender, long from, int count) {
    List<Envelope> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(envelope(sender, from + i));
    }
    return out;
  }

  /** Waits for commits until {@code ids} acks are reported; returns the reports. */
  private static List<ClientInbox.Durable> await(BlockingQueue<ClientInbox.Durable> q, int ids)
      throws InterruptedException {
    List<ClientInbox.Durable> got = new ArrayList<>();
    int n = 0;
    while (n < ids) {
      ClientInbox.Durable d = q.poll(30, TimeUnit.SECONDS);
      assertThat(d).as("a commit within 30 s").isNotNull();
      got.add(d);
      n += d.ids().size();
    }
    return got;
  }

  @Test
  void enqueue_bursts_everyMessageInHistoryBeforeItsIdIsReported() throws Exception {
    BlockingQueue<ClientInbox.Durable> reported = new LinkedBlockingQueue<>();
    List<String> failures = new ArrayList<>();
    try (ClientInbox inbox =
        ClientInbox.create(
            dir.resolve("r0"), "r0", new SecureRandom(), reported::add, failures::add)) {
      inbox.enqueue(envelopes("usr0", 0, 300));
      inbox.enqueue(envelopes("usr0", 300, 300));
      List<ClientInbox.Durable> commits = await(reported, 600);

      Set<ByteString> acked = new HashSet<>();
      int written = 0;
      for (ClientInbox.Durable d : commits) {
        assertThat(d.ids()).hasSizeLessThanOrEqualTo(ClientInbox.MAX_BATCH);
        for (ByteString id : d.ids()) {
          // Reported only after the commit: already readable from the store.
          assertThat(inbox.store().historyByMessageId(id.toByteArray())).isPresent();
          acked.add(id);
        }
        written += d.written();
      }
      assertThat(acked).hasSize(600);
      assertThat(written).isEqualTo(600);
      assertThat(failures).isEmpty();
      Conversation c = inbox.store().conversation("usr0").orElseThrow();
      assertThat(c.lastSeq()).isEqualTo(600);
      assertThat(c.unread()).isEqualTo(600);
      HistoryEntry h =
          inbox
              .store()
              .historyByMessageId(envelope("usr0", 5).getMessageId().toByteArray())
              .orElseThrow();
      assertThat(h.direction()).isEqualTo(Direction.INCOMING);
      assertThat(h.content()).containsExactly(5, 1, 2, 3);
    }
  }

  @Test
  void enqueue_redelivery_reportedForAckButNotWrittenTwice() throws Exception {
    BlockingQueue<ClientInbox.Durable> reported = new LinkedBlockingQueue<>();
    try (ClientInbox inbox =
        ClientInbox.create(dir.resolve("r1"), "r1", new SecureRandom(), reported::add, w -> {})) {
      inbox.enqueue(envelopes("usr1", 0, 10));
      await(reported, 10);
      inbox.enqueue(envelopes("usr1", 5, 10)); // 5..9 again, 10..14 new
      List<ClientInbox.Durable> again = await(reported, 10);
      assertThat(again.stream().mapToInt(ClientInbox.Durable::written).sum()).isEqualTo(5);
      assertThat(inbox.store().conversation("usr1").orElseThrow().lastSeq()).isEqualTo(15);
    }
  }

  @Test
  void isStoreThread_workersAndJournalThreadsOnly() {
    assertThat(ClientInbox.isStoreThread("w3-client-worker-off3")).isTrue();
    assertThat(ClientInbox.isStoreThread("sotto-store-writer-off3")).isTrue();
    assertThat(ClientInbox.isStoreThread("sotto-store-checkpointer-off3")).isTrue();
    assertThat(ClientInbox.isStoreThread("vert.x-eventloop-thread-0")).isFalse();
    assertThat(ClientInbox.isStoreThread("main")).isFalse();
  }

  @Test
  void threadCpu_countsOnlyChosenThreads() throws Exception {
    CountDownLatch spent = new CountDownLatch(1);
    Thread busy =
        new Thread(
            () -> {
              ThreadMXBean mx = ManagementFactory.getThreadMXBean();
              while (mx.getCurrentThreadCpuTime() < 50_000_000L) {
                Thread.onSpinWait();
              }
              spent.countDown();
              try {
                Thread.sleep(30_000);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "thread-cpu-test-busy");
    busy.start();
    try {
      assertThat(spent.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(ThreadCpu.nanosOf(n -> n.equals("thread-cpu-test-busy")))
          .isGreaterThanOrEqualTo(50_000_000L);
      assertThat(ThreadCpu.nanosOf(n -> n.equals("no-such-thread"))).isZero();
    } finally {
      busy.interrupt();
      busy.join();
    }
  }
}
