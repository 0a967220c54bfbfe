package dev.sotto.bench;

import dev.sotto.server.mailbox.Address;
import dev.sotto.server.mailbox.Envelope;
import dev.sotto.server.mailbox.EnvelopeType;
import dev.sotto.server.mailbox.MailboxSealer;
import dev.sotto.server.mailbox.Mailboxes;
import dev.sotto.server.mailbox.MessageId;
import dev.sotto.store.JournaledStore;
import dev.sotto.store.StoreOptions;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The server's mailbox path alone, without network or TLS: {@link Mailboxes#store} then {@link
 * Mailboxes#ack} by the pushed entry id, on the real {@link JournaledStore} (fsync on, product
 * options), as for a recipient who is online. Prints one line: process CPU time per message (all
 * threads: the callers' sealing, the store's writer and checkpointer), wall time, and the live
 * state left behind once every message is acked (the journal's size after a compaction, which
 * rewrites exactly the live records). CPU time, not wall time, is the figure to compare on a shared
 * machine; compare two builds back to back by running this class against each build's class path.
 *
 * <pre>
 * java -cp bench/target/classes:$(cat bench/target/classpath.txt) dev.sotto.bench.MailboxChurnMain \
 *     [messages=200000] [users=500] [window=256] [payload=256]
 * </pre>
 */
public final class MailboxChurnMain {
  private MailboxChurnMain() {}

  public static void main(String[] args) throws Exception {
    int messages = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int users = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    int window = args.length > 2 ? Integer.parseInt(args[2]) : 256;
    int payload = args.length > 3 ? Integer.parseInt(args[3]) : 256;
    Path dir = Files.createTempDirectory("sotto-churn");
    try (JournaledStore store = JournaledStore.open(dir, StoreOptions.defaults())) {
      Mailboxes mailboxes =
          Mailboxes.open(
                  store,
                  new MailboxSealer(new byte[32]),
                  (recipient, sender) -> false,
                  Clock.systemUTC(),
                  Mailboxes.Limits.defaults())
              .get(30, TimeUnit.SECONDS);
      // warm-up: a tenth of the run, not measured
      run(mailboxes, messages / 10, users, window, payload, new SplittableRandom(1));
      JournaledStore.Stats before = store.stats();
      long cpu0 = processCpuNanos();
      long t0 = System.nanoTime();
      run(mailboxes, messages, users, window, payload, new SplittableRandom(2));
      long wall = System.nanoTime() - t0;
      long cpu = processCpuNanos() - cpu0;
      JournaledStore.Stats after = store.stats();
      store.compact().get(120, TimeUnit.SECONDS);
      System.out.printf(
          "churn messages=%d users=%d window=%d payload_B=%d cpu_us_per_msg=%.1f"
              + " wall_us_per_msg=%.1f msg_s=%.0f live_state_after_acks_B=%d"
              + " checkpoints=%d%n",
          messages,
          users,
          window,
          payload,
          cpu / 1e3 / messages,
          wall / 1e3 / messages,
          messages / (wall / 1e9),
          store.journalBytes(),
          after.checkpoints() - before.checkpoints());
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(MailboxChurnMain::deleteQuietly);
      }
    }
  }

  /** Stores {@code n} messages with {@code window} in flight, acking each once stored. */
  private static void run(
      Mailboxes mailboxes, int n, int users, int window, int payload, SplittableRandom random)
      throws Exception {
    Semaphore inFlight = new Semaphore(window);
    List<CompletableFuture<?>> tail = new ArrayList<>();
    byte[] ciphertext = new byte[payload];
    for (int i = 0; i < n; i++) {
      inFlight.acquire();
      byte[] id = new byte[MessageId.LENGTH];
      random.nextBytes(id);
      MessageId messageId = MessageId.of(id);
      String sender = "u" + random.nextInt(users);
      String recipient = "u" + random.nextInt(users);
      Envelope e =
          new Envelope(
              messageId,
              new Address(sender, 1),
              new Address(recipient, 1),
              EnvelopeType.MESSAGE,
              ciphertext,
              0);
      CompletableFuture<?> f =
          mailboxes
              .store(e)
              .thenCompose(
                  r ->
                      mailboxes.ack(
                          recipient, List.of(messageId), Map.of(messageId, r.entry().entryId())))
              .whenComplete((r, err) -> inFlight.release());
      if (i >= n - window) {
        tail.add(f);
      }
    }
    for (CompletableFuture<?> f : tail) {
      f.get(60, TimeUnit.SECONDS);
    }
    inFlight.acquire(window);
    inFlight.release(window);
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // a temp directory: left behind at worst
    }
  }
}
