package dev.sotto.store;

import static dev.sotto.store.JournaledStoreTest.b;
import static dev.sotto.store.JournaledStoreTest.s;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpointer running beside the writer and the readers: memtables, MapDB, back-pressure. */
class CheckpointTest {
  private static final StoreOptions FAST =
      StoreOptions.builder()
          .fsyncDisabledForTestsOnly(true)
          .checkpointInterval(Duration.ofMillis(10))
          .build();

  @TempDir Path dir;
  private final List<JournaledStore> open = new ArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void closeAll() {
    release.countDown();
    open.forEach(JournaledStore::close);
  }

  private JournaledStore openStore(Path where, StoreOptions options) {
    JournaledStore store = JournaledStore.open(where, options);
    open.add(store);
    return store;
  }

  /** A hook that holds the first checkpoint after its MapDB apply until {@link #release}. */
  private JournaledStore.CheckpointHook pauseFirst(CountDownLatch reached) {
    AtomicBoolean first = new AtomicBoolean(true);
    return seq -> {
      if (first.getAndSet(false)) {
        reached.countDown();
        assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
      }
    };
  }

  private static TreeMap<String, String> contents(Store store, String map) {
    TreeMap<String, String> m = new TreeMap<>();
    store.scan(map, new byte[0], 100_000).forEach(e -> m.put(s(e.key()), s(e.value())));
    return m;
  }

  private static void assertState(Store store, TreeMap<String, String> model, int keys) {
    assertThat(contents(store, "m")).isEqualTo(model);
    for (int i = 0; i < keys; i++) {
      String k = "k" + i;
      assertThat(store.get("m", b(k)).map(JournaledStoreTest::s))
          .as(k)
          .isEqualTo(java.util.Optional.ofNullable(model.get(k)));
    }
  }

  private static void awaitCheckpoints(JournaledStore store, long atLeast)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (store.checkpoints() < atLeast && System.nanoTime() < deadline) {
      Thread.sleep(2);
    }
    assertThat(store.checkpoints()).isGreaterThanOrEqualTo(atLeast);
  }

  @Test
  void healthyStore_failureNeverCompletes_throughCheckpointsAndClose() throws Exception {
    JournaledStore store = openStore(dir, FAST);
    long before = store.checkpoints();
    store.write(new Batch().put("m", b("k"), b("v"))).join();
    awaitCheckpoints(store, before + 1);
    store.close();
    open.remove(store);
    assertThat(store.failure().toCompletableFuture()).isNotDone();
  }

  @Test
  void readsDuringCheckpoint_seeLatestDurableState_whileMapDbIsHalfWay() throws Exception {
    JournaledStore store = openStore(dir, FAST);
    CountDownLatch reached = new CountDownLatch(1);
    long before = store.checkpoints();
    store.checkpointHook = pauseFirst(reached);
    TreeMap<String, String> model = new TreeMap<>();
    Batch first = new Batch();
    for (int i = 0; i < 100; i++) {
      first.put("m", b("k" + i), b("v1-" + i));
      model.put("k" + i, "v1-" + i);
    }
    store.write(first).join();
    assertThat(reached.await(30, TimeUnit.SECONDS)).isTrue();
    // MapDB now holds the first batch, uncommitted; the frozen memtable still shadows it
    assertState(store, model, 110);
    Batch second = new Batch();
    for (int i = 0; i < 50; i++) {
      second.put("m", b("k" + i), b("v2-" + i));
      model.put("k" + i, "v2-" + i);
    }
    for (int i = 50; i < 60; i++) {
      second.delete("m", b("k" + i));
      model.remove("k" + i);
    }
    second.put("m", b("k105"), b("new"));
    model.put("k105", "new");
    store.write(second).join();
    assertState(store, model, 110);
    assertThat(store.checkpoints()).isEqualTo(before);
    release.countDown();
    awaitCheckpoints(store, before + 2); // the held one, then one with the second batch
    assertState(store, model, 110);
    assertThat(store.stats().memtableBytes()).isZero();
    store.crashForTesting();
    open.remove(store);
    JournaledStore again = openStore(dir, FAST);
    assertThat(again.recovery().rebuilt()).isFalse();
    assertThat(again.recovery().replayedRecords()).isZero();
    assertState(again, model, 110);
  }

  @Test
  void entryOverwrittenWhileCheckpointed_newestValueSurvivesCheckpointsAndCrash() throws Exception {
    JournaledStore store =
        openStore(dir, FAST.toBuilder().checkpointInterval(Duration.ofHours(1)).build());
    CountDownLatch reached = new CountDownLatch(1);
    store.checkpointHook = pauseFirst(reached);
    store.write(new Batch().put("m", b("k"), b("old"))).join();
    CompletableFuture<Void> compacted = store.compact(); // forces a checkpoint of "old"
    assertThat(reached.await(30, TimeUnit.SECONDS)).isTrue();
    // the writer waits for that checkpoint inside the compaction; an update queued behind it
    CompletableFuture<String> overwrite =
        store.update(
            txn -> {
              String seen = s(txn.get("m", b("k")).orElseThrow());
              txn.put("m", b("k"), b("new"));
              return seen;
            });
    assertThat(store.get("m", b("k"))).map(JournaledStoreTest::s).contains("old");
    release.countDown();
    compacted.join();
    assertThat(overwrite.join()).isEqualTo("old");
    assertThat(store.get("m", b("k"))).map(JournaledStoreTest::s).contains("new");
    // a plain write over a key whose older value is being applied right now
    CountDownLatch reached2 = new CountDownLatch(1);
    CountDownLatch release2 = new CountDownLatch(1);
    AtomicBoolean once = new AtomicBoolean(true);
    store.checkpointHook =
        seq -> {
          if (once.getAndSet(false)) {
            reached2.countDown();
            assertThat(release2.await(30, TimeUnit.SECONDS)).isTrue();
          }
        };
    long before = store.checkpoints();
    CompletableFuture<Void> compacted2 = store.compact();
    assertThat(reached2.await(30, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Void> newest = store.write(new Batch().put("m", b("k"), b("newest")));
    release2.countDown();
    compacted2.join();
    newest.join();
    assertThat(store.get("m", b("k"))).map(JournaledStoreTest::s).contains("newest");
    store.compact().join(); // checkpoints "newest" too
    assertThat(store.checkpoints()).isGreaterThanOrEqualTo(before + 2);
    store.crashForTesting();
    open.remove(store);
    JournaledStore again = openStore(dir, FAST);
    assertThat(again.recovery().rebuilt()).isFalse();
    assertThat(again.get("m", b("k"))).map(JournaledStoreTest::s).contains("newest");
  }

  @Test
  void checkpointFailsInsideMapDb_nextOpenRebuildsFromTheJournal() throws Exception {
    Path live = dir.resolve("live");
    JournaledStore store = openStore(live, FAST);
    store.write(new Batch().put("m", b("before"), b("1"))).join();
    store.compact().join();
    store.checkpointHook =
        seq -> {
          throw new IllegalStateException("simulated damage found by MapDB during a checkpoint");
        };
    store.write(new Batch().put("m", b("after"), b("2")).delete("m", b("before"))).join();
    for (int i = 0; i < 500 && !Files.exists(live.resolve(JournaledStore.SUSPECT)); i++) {
      Thread.sleep(10);
    }
    assertThat(live.resolve(JournaledStore.SUSPECT)).exists();
    assertThat(store.failure().toCompletableFuture().get(30, TimeUnit.SECONDS))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("simulated damage");
    // the store fails from here on; a close returns (it used to wait forever when the writer took
    // the close request just as it noticed the failed checkpointer)
    CompletableFuture<Void> closed =
        CompletableFuture.runAsync(
            () -> {
              try {
                store.close();
              } catch (RuntimeException e) {
                // a failed store may say so on close; what matters is that it returns
              }
            });
    closed.get(30, TimeUnit.SECONDS);
    open.remove(store);

    JournaledStore reopened = openStore(live, FAST);
    assertThat(reopened.recovery().rebuilt()).isTrue();
    assertThat(live.resolve(JournaledStore.SUSPECT)).doesNotExist();
    assertThat(reopened.get("m", b("after"))).map(JournaledStoreTest::s).contains("2");
    assertThat(reopened.get("m", b("before"))).isEmpty();
    reopened.close();
    open.remove(reopened);
    JournaledStore third = openStore(live, FAST);
    assertThat(third.recovery().rebuilt()).isFalse();
    assertThat(third.get("m", b("after"))).map(JournaledStoreTest::s).contains("2");
  }

  /**
   * KillLoopIT's failure: the open's walk passed, then the checkpoint that the close waited for
   * failed inside MapDB ({@code PointerChecksumBroken}), and the close reported a failure although
   * the journal held every acknowledged write. Now such a close completes, leaves no CLEAN marker,
   * and the next open rebuilds MapDB from the journal.
   */
  @Test
  void checkpointFailsInsideMapDbWhileCloseWaits_closeCompletes_nextOpenRebuilds()
      throws Exception {
    Path live = dir.resolve("live");
    JournaledStore store =
        openStore(live, FAST.toBuilder().checkpointInterval(Duration.ofHours(1)).build());
    store.write(new Batch().put("m", b("a"), b("1"))).join();
    CountDownLatch reached = new CountDownLatch(1);
    CountDownLatch fail = new CountDownLatch(1);
    store.checkpointHook =
        seq -> {
          reached.countDown();
          assertThat(fail.await(30, TimeUnit.SECONDS)).isTrue();
          throw new IllegalStateException("simulated PointerChecksumBroken");
        };
    CompletableFuture<Void> closed = CompletableFuture.runAsync(store::close);
    assertThat(reached.await(30, TimeUnit.SECONDS)).as("the close's checkpoint began").isTrue();
    awaitWriterIn(live, "shutdown");
    fail.countDown();
    closed.get(30, TimeUnit.SECONDS); // used to fail: "close failed: the checkpointer failed"
    open.remove(store);
    assertThat(live.resolve(JournaledStore.SUSPECT)).exists();
    assertThat(live.resolve(JournaledStore.CLEAN)).doesNotExist();

    JournaledStore reopened = openStore(live, FAST);
    assertThat(reopened.recovery().rebuilt()).isTrue();
    assertThat(reopened.get("m", b("a"))).map(JournaledStoreTest::s).contains("1");
  }

  /** Waits until the writer thread of the store in {@code where} runs {@code method}. */
  private static void awaitWriterIn(Path where, String method) throws InterruptedException {
    String name = "sotto-store-writer-" + where.getFileName();
    for (int i = 0; i < 3000; i++) {
      for (Map.Entry<Thread, StackTraceElement[]> t : Thread.getAllStackTraces().entrySet()) {
        if (t.getKey().getName().equals(name)
            && Stream.of(t.getValue()).anyMatch(f -> f.getMethodName().equals(method))) {
          return;
        }
      }
      Thread.sleep(10);
    }
    throw new AssertionError("the writer of " + where + " never reached " + method);
  }

  /**
   * MapDB losing an entry without an exception (as a broken free-space record after a kill -9 can
   * make it do) must not reach the journal: a compaction that copied MapDB would have dropped the
   * entry for good. It is refused, MapDB is marked suspect, and the next open rebuilds it.
   */
  @Test
  void mapDbSilentlyLosesAnEntry_compactionRefused_journalKeepsIt() throws Exception {
    Path live = dir.resolve("live");
    // no timed checkpoint: the compaction's own checkpoint is the one the hook damages
    JournaledStore store =
        openStore(live, FAST.toBuilder().checkpointInterval(Duration.ofHours(1)).build());
    store.write(new Batch().put("m", b("header"), b("h")).put("m", b("other"), b("o"))).join();
    Field mapsField = JournaledStore.class.getDeclaredField("maps");
    mapsField.setAccessible(true);
    AtomicBoolean once = new AtomicBoolean(true);
    CountDownLatch damaged = new CountDownLatch(1);
    store.checkpointHook =
        seq -> {
          if (once.getAndSet(false)) {
            damaged.countDown();
            @SuppressWarnings("unchecked")
            Map<String, Map<byte[], byte[]>> maps =
                (Map<String, Map<byte[], byte[]>>) mapsField.get(store);
            maps.get("m").remove(b("header")); // behind the store's back, committed with seq
          }
        };
    CompletableFuture<Void> compacted = store.compact();
    assertThat(compacted)
        .failsWithin(Duration.ofSeconds(30))
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withMessageContaining("does not match its digest");
    assertThat(damaged.getCount()).as("the hook damaged MapDB").isZero();
    assertThat(live.resolve(JournaledStore.SUSPECT)).exists();
    store.close();
    open.remove(store);

    JournaledStore reopened = openStore(live, FAST);
    assertThat(reopened.recovery().rebuilt()).isTrue();
    assertThat(reopened.get("m", b("header"))).map(JournaledStoreTest::s).contains("h");
    assertThat(reopened.get("m", b("other"))).map(JournaledStoreTest::s).contains("o");
    reopened.compact().join(); // a rebuilt MapDB matches again
    assertThat(reopened.compactions()).isEqualTo(1);
  }

  @Test
  void crashBetweenApplyAndCommit_reopensFromPreviousCheckpointAndReplays() throws Exception {
    Path image = dir.resolve("image");
    Path live = dir.resolve("live");
    JournaledStore store =
        openStore(live, FAST.toBuilder().checkpointInterval(Duration.ofHours(1)).build());
    TreeMap<String, String> model = new TreeMap<>();
    Batch committed = new Batch();
    for (int i = 0; i < 300; i++) {
      committed.put("m", b("k" + i), b("a" + i));
      model.put("k" + i, "a" + i);
    }
    store.write(committed).join();
    store.compact().join(); // a committed checkpoint with these
    long base = store.checkpoints();
    // the crash image is taken after the next apply and before its commit
    store.checkpointHook =
        seq -> {
          try (Stream<Path> files = Files.list(live)) {
            Files.createDirectories(image);
            for (Path f : files.toList()) {
              Files.copy(f, image.resolve(f.getFileName()));
            }
          }
        };
    for (int round = 0; round < 5; round++) {
      Batch batch = new Batch();
      for (int i = round; i < 300; i += 5) {
        if (i % 7 == 0) {
          batch.delete("m", b("k" + i));
          model.remove("k" + i);
        } else {
          batch.put("m", b("k" + i), b("b" + round + "-" + i));
          model.put("k" + i, "b" + round + "-" + i);
        }
      }
      store.write(batch).join();
    }
    store.compact().join();
    assertThat(store.checkpoints()).isEqualTo(base + 1);
    assertThat(image.resolve(JournaledStore.CLEAN)).doesNotExist();
    JournaledStore recovered = openStore(image, FAST);
    assertThat(recovered.recovery().cleanShutdown()).isFalse();
    assertThat(recovered.recovery().rebuilt()).as("MapDB dropped the uncommitted apply").isFalse();
    assertThat(recovered.recovery().replayedRecords()).isEqualTo(5);
    assertState(recovered, model, 300);
  }

  @Test
  void backPressure_writerWaitsWhileCheckpointerIsBehind_thenResumes() throws Exception {
    StoreOptions small =
        FAST.toBuilder()
            .checkpointInterval(Duration.ofHours(1))
            .maxMemtableBytes(8192)
            .maxOpsPerGroup(4)
            .build();
    JournaledStore store = openStore(dir, small);
    CountDownLatch reached = new CountDownLatch(1);
    store.checkpointHook = pauseFirst(reached);
    List<CompletableFuture<Void>> fs = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      fs.add(
          store.write(
              new Batch().put("m", b("a" + i), new byte[200]).put("m", b("b" + i), new byte[200])));
    }
    assertThat(reached.await(30, TimeUnit.SECONDS)).isTrue();
    Thread.sleep(300);
    long done = fs.stream().filter(CompletableFuture::isDone).count();
    assertThat(done).as("acknowledged while the checkpointer is held").isBetween(5L, 59L);
    // bounded: the limit plus at most one group of 4 ops
    assertThat(store.stats().memtableBytes()).isLessThan(8192 + 4 * (200 + 96 + 8));
    Thread.sleep(100);
    assertThat(fs.stream().filter(CompletableFuture::isDone).count()).isEqualTo(done);
    release.countDown();
    CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    assertThat(store.stats().backPressureWaits()).isPositive();
    assertThat(store.scan("m", new byte[0], 1000)).hasSize(120);
  }

  @Test
  void randomSchedule_readersSeeWholeGroupsInOrder_duringManyCheckpoints() throws Exception {
    long seed = Long.getLong("sotto.test.seed", 20261122L);
    Random random = new Random(seed);
    StoreOptions opts =
        FAST.toBuilder().checkpointInterval(Duration.ofMillis(1)).maxMemtableBytes(32_768).build();
    JournaledStore store = openStore(dir, opts);
    int keys = 20;
    AtomicLong acked = new AtomicLong(-1);
    AtomicBoolean stop = new AtomicBoolean();
    List<String> errors = new CopyOnWriteArrayList<>();
    List<Thread> readers = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      boolean useScan = r == 0;
      Thread t =
          new Thread(
              () -> {
                long last = -1;
                while (!stop.get() && errors.isEmpty()) {
                  long floor = acked.get();
                  if (useScan) {
                    long g = scanGeneration(store, keys, errors);
                    if (g < floor || g < last) {
                      errors.add("scan: generation " + g + " after " + last + ", acked " + floor);
                    }
                    last = g;
                  } else {
                    // single gets: a present value never goes back, and a later read of another
                    // key of the same batches is never older
                    long first = getGeneration(store, "k0");
                    long second = getGeneration(store, "k" + (keys - 1));
                    if (first >= 0 && (first < last || (second >= 0 && second < first))) {
                      errors.add("get: " + first + ", then " + second + ", after " + last);
                    }
                    last = Math.max(last, first);
                  }
                }
              });
      t.start();
      readers.add(t);
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2500);
    long g = 0;
    while (System.nanoTime() < deadline && errors.isEmpty()) {
      Batch batch = new Batch();
      boolean deleteAll = random.nextInt(4) == 0;
      for (int i = 0; i < keys; i++) {
        if (deleteAll) {
          batch.delete("m", b("k" + i));
        } else {
          batch.put("m", b("k" + i), b(Long.toString(g)));
        }
      }
      if (deleteAll) {
        batch.put("m", b("zz"), b(Long.toString(g)));
      } else {
        batch.delete("m", b("zz"));
      }
      store.write(batch).join();
      acked.set(g);
      g++;
      if (random.nextInt(8) == 0) {
        Thread.sleep(random.nextInt(3));
      }
    }
    stop.set(true);
    for (Thread t : readers) {
      t.join(10_000);
    }
    assertThat(errors).as("seed %d", seed).isEmpty();
    assertThat(g).isGreaterThan(100);
    assertThat(store.checkpoints()).as("checkpoints during the run").isGreaterThan(10);
  }

  /** The one generation a scan shows, or an error when it shows a mix. */
  private static long scanGeneration(Store store, int keys, List<String> errors) {
    Map<String, String> m = contents(store, "m");
    if (m.isEmpty()) {
      return -1;
    }
    if (m.containsKey("zz")) {
      if (m.size() != 1) {
        errors.add("deleted keys visible with zz: " + m.keySet());
      }
      return Long.parseLong(m.get("zz"));
    }
    if (m.size() != keys || m.values().stream().distinct().count() != 1) {
      errors.add("a scan saw part of a group: " + m);
      return -1;
    }
    return Long.parseLong(m.values().iterator().next());
  }

  /** The generation {@code key} shows, or -1 when it is deleted. */
  private static long getGeneration(Store store, String key) {
    return store.get("m", b(key)).map(v -> Long.parseLong(s(v))).orElse(-1L);
  }

  @Test
  void close_checkpointsEverything_soReopenReplaysNothing() throws IOException {
    JournaledStore store =
        openStore(dir, FAST.toBuilder().checkpointInterval(Duration.ofHours(1)).build());
    for (int i = 0; i < 20; i++) {
      store.write(new Batch().put("m", b("k" + i), b("v" + i))).join();
    }
    assertThat(store.stats().memtableBytes()).isPositive();
    store.close();
    open.remove(store);
    JournaledStore again = openStore(dir, FAST);
    assertThat(again.recovery().cleanShutdown()).isTrue();
    assertThat(again.recovery().replayedRecords()).isZero();
    assertThat(contents(again, "m")).hasSize(20);
  }
}
