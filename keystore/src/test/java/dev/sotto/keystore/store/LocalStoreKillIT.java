package dev.sotto.keystore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Repeated kill test of the encrypted local store: a child JVM ({@link LocalStoreKillWriter})
 * creates two users' stores and exchanges real PQXDH + Double Ratchet messages between them; this
 * test kills it with SIGKILL ({@code destroyForcibly}) at random moments (JVM start, create, open,
 * recovery, session set-up, commits, checkpoints, compactions) and after every kill opens both
 * stores with the right key and checks: they open; the identities are those first created and never
 * change; every acknowledged send is in the sender's history and still in its outbox or already in
 * the recipient's history; every acknowledged receive is in the recipient's history with its exact
 * content; each unread count equals the incoming rows (history and unread move together); every
 * record authenticates. The next child redelivers what the outboxes hold, and any message that no
 * longer decrypts (a reused or lost ratchet state) makes it report an error.
 *
 * <p>Quick mode (part of {@code mvn verify}): up to {@code sotto.kstore.kill.cycles} (25) cycles
 * within {@code sotto.kstore.kill.seconds} (50 s); {@code sotto.kstore.kill.seed} fixes the
 * schedule.
 */
class LocalStoreKillIT {
  @TempDir Path work;

  private record Ack(String party, String idHex) {}

  @Test
  void killMinus9_atRandomMoments_storeOpensIdentityIntactNothingAcknowledgedLost()
      throws Exception {
    int maxCycles = Integer.getInteger("sotto.kstore.kill.cycles", 25);
    long budgetNanos = TimeUnit.SECONDS.toNanos(Long.getLong("sotto.kstore.kill.seconds", 50));
    long seed = Long.getLong("sotto.kstore.kill.seed", System.nanoTime());
    Random random = new Random(seed);
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path log = work.resolve("writer.log");

    Map<String, String> identities = new HashMap<>();
    List<Ack> sends = new ArrayList<>();
    List<Ack> receives = new ArrayList<>();
    int cycle = 0;
    int readyCycles = 0;
    boolean lockChecked = false;
    long start = System.nanoTime();
    while (cycle < maxCycles && System.nanoTime() - start < budgetNanos) {
      cycle++;
      Process p =
          new ProcessBuilder(
                  java,
                  "-Xmx256m",
                  "-XX:TieredStopAtLevel=1",
                  "-XX:+UseSerialGC",
                  "-cp",
                  classpath,
                  LocalStoreKillWriter.class.getName(),
                  work.resolve("stores").toString(),
                  Integer.toString(cycle),
                  Long.toString(random.nextLong()))
              .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
      CountDownLatch ready = new CountDownLatch(1);
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
                  for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                    if (line.equals("READY") || line.startsWith("ERROR")) {
                      ready.countDown();
                    }
                  }
                } catch (IOException e) {
                  // the pipe breaks when the child dies mid-line: that line was not acknowledged
                }
              });
      reader.start();
      if (random.nextInt(5) == 0) {
        Thread.sleep(random.nextInt(1500)); // often during JVM start, create, open or recovery
      } else {
        assertThat(ready.await(60, TimeUnit.SECONDS)).as("child became ready").isTrue();
        readyCycles++;
        if (!lockChecked) {
          lockChecked = true;
          Path aliceDir = work.resolve("stores").resolve("alice");
          assertThatThrownBy(() -> LocalStore.open(aliceDir, LocalStoreKillWriter.ALICE_KEY))
              .isInstanceOf(StoreLockedException.class)
              .hasMessageContaining("pid " + p.pid());
        }
        Thread.sleep(random.nextInt(800)); // while sending, receiving, checkpointing
      }
      p.destroyForcibly();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      reader.join(10_000);
      for (String line : lines) {
        assertThat(line).as("child output (seed %d)", seed).doesNotStartWith("ERROR");
        String[] f = line.split(" ");
        switch (f[0]) {
          case "ID" -> {
            String before = identities.putIfAbsent(f[1], f[2]);
            assertThat(before == null || before.equals(f[2]))
                .as("identity of %s unchanged across restarts", f[1])
                .isTrue();
          }
          case "S" -> sends.add(new Ack(f[1], f[2]));
          case "R" -> receives.add(new Ack(f[1], f[2]));
          default -> {}
        }
      }
      check(identities, sends, receives, seed);
    }
    System.out.printf(
        "local store kill test: %d cycles (%d killed after READY), %d sends and %d receives"
            + " acknowledged, %.0f s, seed %d%n",
        cycle, readyCycles, sends.size(), receives.size(), (System.nanoTime() - start) / 1e9, seed);
    assertThat(cycle).isGreaterThanOrEqualTo(5);
    assertThat(lockChecked).as("the lock was checked against a live child").isTrue();
    assertThat(sends).as("the writer acknowledged sends").isNotEmpty();
    assertThat(receives).as("the writer acknowledged receives").isNotEmpty();
  }

  /** Opens both stores as the client would after a crash and checks every acknowledgement. */
  private void check(Map<String, String> identities, List<Ack> sends, List<Ack> receives, long seed)
      throws Exception {
    Map<String, LocalStore> stores = new HashMap<>();
    SecureRandom random = new SecureRandom();
    try {
      for (String user : List.of("alice", "bob")) {
        byte[] key =
            user.equals("alice") ? LocalStoreKillWriter.ALICE_KEY : LocalStoreKillWriter.BOB_KEY;
        Path dir = work.resolve("stores").resolve(user);
        try {
          stores.put(user, LocalStore.open(dir, key, LocalStoreKillWriter.options(), random));
        } catch (NoLocalStoreException e) {
          assertThat(identities)
              .as("%s never announced (seed %d)", user, seed)
              .doesNotContainKey(user);
          continue;
        }
        LocalStore s = stores.get(user);
        String id = HexFormat.of().formatHex(s.identity().publicKey().serialize());
        if (identities.containsKey(user)) {
          assertThat(id)
              .as("identity of %s intact (seed %d)", user, seed)
              .isEqualTo(identities.get(user));
        }
        assertThat(s.verifyAllRecords()).isPositive();
      }
      Map<String, java.util.Set<String>> outboxes = new HashMap<>();
      for (Map.Entry<String, LocalStore> e : stores.entrySet()) {
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (OutboxEntry o : e.getValue().outbox(100_000)) {
          ids.add(HexFormat.of().formatHex(o.messageId()));
        }
        outboxes.put(e.getKey(), ids);
      }
      for (Ack a : sends) {
        LocalStore sender = stores.get(a.party());
        String other = a.party().equals("alice") ? "bob" : "alice";
        byte[] id = HexFormat.of().parseHex(a.idHex());
        Optional<HistoryEntry> h = sender.historyByMessageId(id);
        assertThat(h)
            .as("sent %s in %s's history (seed %d)", a.idHex(), a.party(), seed)
            .isPresent();
        assertThat(h.get().direction()).isEqualTo(Direction.OUTGOING);
        boolean inOutbox = outboxes.get(a.party()).contains(a.idHex());
        boolean delivered = stores.get(other).historyByMessageId(id).isPresent();
        assertThat(inOutbox || delivered)
            .as("sent %s still in the outbox or delivered (seed %d)", a.idHex(), seed)
            .isTrue();
      }
      for (Ack a : receives) {
        byte[] id = HexFormat.of().parseHex(a.idHex());
        Optional<HistoryEntry> h = stores.get(a.party()).historyByMessageId(id);
        assertThat(h)
            .as("received %s in %s's history (seed %d)", a.idHex(), a.party(), seed)
            .isPresent();
        assertThat(h.get().direction()).isEqualTo(Direction.INCOMING);
        assertThat(h.get().content()).isEqualTo(LocalStoreKillWriter.content(id));
      }
      for (Map.Entry<String, LocalStore> e : stores.entrySet()) {
        String peer = e.getKey().equals("alice") ? "bob" : "alice";
        Optional<Conversation> c = e.getValue().conversation(peer);
        java.util.Set<String> outgoing = new java.util.HashSet<>();
        if (c.isPresent()) {
          List<HistoryEntry> all = e.getValue().history(peer, Long.MAX_VALUE, 10_000);
          // all or nothing, acknowledged or not: a sent row and its outbox row were committed
          // together, and the outbox row goes only after the recipient committed the message
          for (HistoryEntry h : all) {
            if (h.direction() == Direction.OUTGOING) {
              String hex = HexFormat.of().formatHex(h.messageId());
              outgoing.add(hex);
              LocalStore recipient = stores.get(peer);
              assertThat(
                      outboxes.get(e.getKey()).contains(hex)
                          || (recipient != null
                              && recipient.historyByMessageId(h.messageId()).isPresent()))
                  .as("sent row %s is in the outbox or delivered (seed %d)", hex, seed)
                  .isTrue();
            }
          }
          assertThat(all).hasSize((int) c.get().lastSeq());
          long incoming = all.stream().filter(h -> h.direction() == Direction.INCOMING).count();
          assertThat(c.get().unread())
              .as("%s's unread count moves with its history (seed %d)", e.getKey(), seed)
              .isEqualTo((int) incoming);
        }
        assertThat(outgoing)
            .as("every outbox row of %s has its history row (seed %d)", e.getKey(), seed)
            .containsAll(outboxes.get(e.getKey()));
      }
    } finally {
      stores.values().forEach(LocalStore::close);
    }
  }
}
