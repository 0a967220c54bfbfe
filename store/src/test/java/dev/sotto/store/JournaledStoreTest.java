package dev.sotto.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournaledStoreTest {

  @TempDir Path dir;
  private final List<JournaledStore> open = new ArrayList<>();

  @AfterEach
  void closeAll() {
    open.forEach(JournaledStore::close);
  }

  static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  static String s(byte[] b) {
    return new String(b, UTF_8);
  }

  JournaledStore openStore() {
    return openStore(StoreOptions.defaults());
  }

  JournaledStore openStore(StoreOptions options) {
    JournaledStore store = JournaledStore.open(dir, options);
    open.add(store);
    return store;
  }

  void closeStore(JournaledStore store) {
    store.close();
    open.remove(store);
  }

  void crash(JournaledStore store) {
    store.crashForTesting();
    open.remove(store);
  }

  @Test
  void write_thenGet_returnsValue() {
    JournaledStore store = openStore();
    store
        .write(new Batch().put("accounts", b("alice"), b("A")).put("accounts", b("bob"), b("B")))
        .join();
    assertThat(store.get("accounts", b("alice"))).map(JournaledStoreTest::s).contains("A");
    assertThat(store.get("accounts", b("bob"))).map(JournaledStoreTest::s).contains("B");
    assertThat(store.get("accounts", b("carol"))).isEmpty();
    assertThat(store.get("nosuchmap", b("alice"))).isEmpty();
  }

  @Test
  void delete_removesKey() {
    JournaledStore store = openStore();
    store.write(new Batch().put("m", b("k"), b("v"))).join();
    store.write(new Batch().delete("m", b("k")).delete("other", b("x"))).join();
    assertThat(store.get("m", b("k"))).isEmpty();
  }

  @Test
  void scan_prefix_unsignedOrderAndLimit() {
    JournaledStore store = openStore();
    Batch batch = new Batch();
    byte[][] keys = {
      {1, 2},
      {1, (byte) 0x80},
      {1, (byte) 0xFF},
      {1, 0x7F},
      {1},
      {2, 0},
      {0, (byte) 0xFF},
      {1, 2, 3}
    };
    for (byte[] k : keys) {
      batch.put("m", k, k);
    }
    store.write(batch).join();
    List<Store.Entry> all = store.scan("m", new byte[] {1}, 100);
    assertThat(all)
        .extracting(Store.Entry::key)
        .containsExactly(
            new byte[] {1},
            new byte[] {1, 2},
            new byte[] {1, 2, 3},
            new byte[] {1, 0x7F},
            new byte[] {1, (byte) 0x80},
            new byte[] {1, (byte) 0xFF});
    assertThat(store.scan("m", new byte[] {1}, 2)).hasSize(2);
    assertThat(store.scan("m", new byte[] {(byte) 0xFF}, 10)).isEmpty();
    assertThat(store.scan("m", new byte[0], 100)).hasSize(keys.length);
    assertThat(store.scan("m", new byte[] {1, (byte) 0xFF}, 10))
        .extracting(Store.Entry::key)
        .containsExactly(new byte[] {1, (byte) 0xFF});
  }

  @Test
  void txnScanFrom_resumesAtTheKey_acrossMapDbMemtableAndTheTxnsOwnWrites() {
    JournaledStore first = openStore();
    first.write(new Batch().put("m", b("u1"), b("db")).put("m", b("u3"), b("db"))).join();
    first.write(new Batch().put("m", b("u5"), b("db")).put("n", b("u4"), b("other"))).join();
    closeStore(first); // a clean close leaves these in MapDB
    JournaledStore store = openStore();
    store.write(new Batch().put("m", b("u2"), b("mem")).put("m", b("u6"), b("mem"))).join();
    store.write(new Batch().delete("m", b("u5"))).join();

    List<String> seen =
        store
            .update(
                txn -> {
                  txn.put("m", b("u4"), b("txn"));
                  List<String> out = new ArrayList<>();
                  for (Store.Entry e : txn.scan("m", b("u"), b("u3"), 10)) {
                    out.add(s(e.key()) + "=" + s(e.value()));
                  }
                  out.add("|");
                  for (Store.Entry e : txn.scan("m", b("u"), b("u2x"), 2)) {
                    out.add(s(e.key()));
                  }
                  return out;
                })
            .join();

    assertThat(seen).containsExactly("u3=db", "u4=txn", "u6=mem", "|", "u3", "u4");
    assertThatThrownBy(() -> store.update(txn -> txn.scan("m", b("u"), b("v"), 1)).join())
        .hasCauseInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void update_seesEarlierWritesOfItsGroup_andCommitsAtomically() {
    JournaledStore store =
        openStore(StoreOptions.builder().groupCommitMaxDelay(Duration.ofMillis(50)).build());
    CompletableFuture<Void> w = store.write(new Batch().put("c", b("n"), b("1")));
    CompletableFuture<String> u =
        store.update(
            txn -> {
              String seen = txn.get("c", b("n")).map(JournaledStoreTest::s).orElse("none");
              txn.put("c", b("n"), b("2"));
              txn.put("c", b("m"), b("x"));
              assertThat(txn.get("c", b("n"))).map(JournaledStoreTest::s).contains("2");
              assertThat(txn.scan("c", new byte[0], 10)).hasSize(2);
              return seen;
            });
    w.join();
    assertThat(u.join()).isEqualTo("1");
    assertThat(store.get("c", b("n"))).map(JournaledStoreTest::s).contains("2");
    assertThat(store.get("c", b("m"))).map(JournaledStoreTest::s).contains("x");
  }

  /** Holds the tasks it is given until the test runs them. */
  private static final class HeldExecutor implements java.util.concurrent.Executor {
    final java.util.concurrent.BlockingQueue<Runnable> tasks =
        new java.util.concurrent.LinkedBlockingQueue<>();

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    Runnable next() throws InterruptedException {
      Runnable r = tasks.poll(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(r).as("a task within 10 s").isNotNull();
      return r;
    }
  }

  @Test
  void updateWithExecutor_completesThere_oneTaskPerExecutorAndGroup_inCommitOrder()
      throws Exception {
    JournaledStore store =
        openStore(StoreOptions.builder().groupCommitMaxDelay(Duration.ofMillis(200)).build());
    HeldExecutor a = new HeldExecutor();
    HeldExecutor b = new HeldExecutor();
    List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<CompletableFuture<String>> onA = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String v = "a" + i;
      onA.add(
          store.update(
              txn -> {
                txn.put("c", b(v), b(v));
                return v;
              },
              a));
      onA.get(i).thenAccept(order::add);
    }
    CompletableFuture<String> failing =
        store.update(
            txn -> {
              throw new IllegalStateException("refused");
            },
            a);
    CompletableFuture<String> onB = store.update(txn -> "b", b);
    CompletableFuture<String> plain = store.update(txn -> "plain");

    assertThat(plain.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("plain");
    // The failure is answered while the group is built, the rest in one task after the commit.
    Runnable failure = a.next();
    Runnable group = a.next();
    Runnable groupB = b.next();
    assertThat(onA).noneMatch(CompletableFuture::isDone);
    assertThat(failing).isNotDone();
    assertThat(onB).isNotDone();
    assertThat(store.get("c", b("a2"))).map(JournaledStoreTest::s).contains("a2"); // durable

    failure.run();
    assertThat(failing).isCompletedExceptionally();
    group.run();
    assertThat(order).containsExactly("a0", "a1", "a2");
    groupB.run();
    assertThat(onB.join()).isEqualTo("b");
    assertThat(a.tasks).isEmpty();
    assertThat(b.tasks).isEmpty();
  }

  @Test
  void updateWithExecutor_thatRefuses_stillCompletes() throws Exception {
    JournaledStore store = openStore();
    java.util.concurrent.Executor shutDown =
        task -> {
          throw new java.util.concurrent.RejectedExecutionException("shut down");
        };
    CompletableFuture<String> u = store.update(txn -> "done", shutDown);
    assertThat(u.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("done");
    // and the writer is still alive
    store
        .write(new Batch().put("m", b("k"), b("v")))
        .get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(store.get("m", b("k"))).isPresent();
  }

  @Test
  void journalCannotBeFilledAhead_appendsGrowTheFile_andNothingIsLost() throws IOException {
    JournaledStore store = openStore();
    store.write(new Batch().put("m", b("first"), b("1"))).join();
    Path journal = dir.resolve(JournaledStore.JOURNAL);
    // the first append filled the file ahead
    assertThat(Files.size(journal)).isGreaterThan(store.journalBytes());
    long ahead = Files.size(journal);
    store.fillHook =
        (ch, start, end) -> {
          throw new IOException("No space left on device");
        };
    // past the zeros, the next fill fails: the appends still go through, growing the file
    byte[] big = new byte[64 * 1024];
    int n = (int) (ahead / big.length) + 2;
    for (int i = 0; i < n; i++) {
      store.write(new Batch().put("m", b("big" + i), big)).join();
    }
    assertThat(Files.size(journal)).isEqualTo(store.journalBytes());
    crash(store);
    JournaledStore again = openStore();
    assertThat(again.recovery().truncatedBytes()).isZero();
    assertThat(again.get("m", b("first"))).map(JournaledStoreTest::s).contains("1");
    for (int i = 0; i < n; i++) {
      assertThat(again.get("m", b("big" + i))).map(v -> v.length).contains(big.length);
    }
    // with room again, the file is filled ahead once more
    again.write(new Batch().put("m", b("after"), b("2"))).join();
    assertThat(Files.size(journal)).isGreaterThan(again.journalBytes());
  }

  @Test
  void update_throwing_appliesNothing() {
    JournaledStore store = openStore();
    CompletableFuture<Object> u =
        store.update(
            txn -> {
              txn.put("c", b("half"), b("done"));
              throw new IllegalStateException("boom");
            });
    assertThatThrownBy(u::join).hasCauseInstanceOf(IllegalStateException.class);
    assertThat(store.get("c", b("half"))).isEmpty();
    store.write(new Batch().put("c", b("after"), b("ok"))).join();
    assertThat(store.get("c", b("after"))).isPresent();
  }

  @Test
  void update_concurrentIncrements_noLostUpdates() {
    JournaledStore store = openStore();
    List<CompletableFuture<Long>> fs = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      fs.add(
          store.update(
              txn -> {
                long n = txn.get("c", b("n")).map(v -> Long.parseLong(s(v))).orElse(0L) + 1;
                txn.put("c", b("n"), b(Long.toString(n)));
                return n;
              }));
    }
    List<Long> results = fs.stream().map(CompletableFuture::join).toList();
    assertThat(results).doesNotHaveDuplicates().hasSize(500).contains(500L);
    assertThat(store.get("c", b("n"))).map(JournaledStoreTest::s).contains("500");
  }

  @Test
  void write_ackedOnlyAfterForce_andReadableAfterCrash() {
    JournaledStore store = openStore();
    AtomicInteger acked = new AtomicInteger();
    List<CompletableFuture<Void>> fs = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      long forcesAtSubmit = store.journalForces();
      int n = i;
      fs.add(
          store
              .write(new Batch().put("d", b("k" + n), b("v" + n)))
              .thenRun(
                  () -> {
                    // the force that made this write durable happened after it was submitted
                    assertThat(store.journalForces()).isGreaterThan(forcesAtSubmit);
                    acked.incrementAndGet();
                  }));
    }
    fs.forEach(CompletableFuture::join);
    assertThat(acked).hasValue(200);
    assertThat(store.journalForces()).isBetween(1L, 200L);
    crash(store);
    JournaledStore reopened = openStore();
    assertThat(reopened.recovery().cleanShutdown()).isFalse();
    for (int i = 0; i < 200; i++) {
      assertThat(reopened.get("d", b("k" + i))).map(JournaledStoreTest::s).contains("v" + i);
    }
  }

  @Test
  void reopen_afterCleanClose_noReplay() {
    JournaledStore store = openStore();
    store.write(new Batch().put("m", b("k"), b("v"))).join();
    closeStore(store);
    assertThat(Files.exists(dir.resolve(JournaledStore.CLEAN))).isTrue();
    JournaledStore again = openStore();
    assertThat(again.recovery().cleanShutdown()).isTrue();
    assertThat(again.recovery().replayedRecords()).isZero();
    assertThat(again.recovery().rebuilt()).isFalse();
    assertThat(again.get("m", b("k"))).map(JournaledStoreTest::s).contains("v");
    assertThat(Files.exists(dir.resolve(JournaledStore.CLEAN))).isFalse();
  }

  @Test
  void reopen_afterCrash_replaysTailPastCheckpoint() {
    JournaledStore store =
        openStore(StoreOptions.builder().checkpointInterval(Duration.ofHours(1)).build());
    for (int i = 0; i < 10; i++) {
      store.write(new Batch().put("m", b("k" + i), b("v" + i))).join();
    }
    crash(store);
    JournaledStore again = openStore();
    assertThat(again.recovery().rebuilt()).isFalse();
    assertThat(again.recovery().replayedRecords()).isEqualTo(10);
    for (int i = 0; i < 10; i++) {
      assertThat(again.get("m", b("k" + i))).map(JournaledStoreTest::s).contains("v" + i);
    }
  }

  @Test
  void afterClose_callsFail() {
    JournaledStore store = openStore();
    closeStore(store);
    assertThatThrownBy(() -> store.get("m", b("k")))
        .isInstanceOf(StoreException.class)
        .hasMessage("store is closed");
    assertThatThrownBy(() -> store.write(new Batch().put("m", b("k"), b("v"))).join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(StoreException.class)
        .hasMessageContaining("store is closed");
    assertThatThrownBy(() -> store.update(t -> 1).join()).hasMessageContaining("store is closed");
    store.close(); // idempotent
  }

  @Test
  void open_whileOpen_failsNamingLockFile() {
    openStore();
    assertThatThrownBy(() -> JournaledStore.open(dir, StoreOptions.defaults()))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("already open")
        .hasMessageContaining("LOCK");
  }

  @Test
  void write_oversizedBatch_rejectedWithoutEffect() {
    JournaledStore store =
        openStore(StoreOptions.builder().maxOpsPerBatch(3).maxRecordBytes(4096).build());
    Batch many = new Batch();
    for (int i = 0; i < 4; i++) {
      many.put("m", b("k" + i), b("v"));
    }
    assertThatThrownBy(() -> store.write(many).join())
        .hasCauseInstanceOf(StoreException.class)
        .hasMessageContaining("at most 3 operations");
    assertThatThrownBy(() -> store.write(new Batch().put("m", b("k"), new byte[5000])).join())
        .hasMessageContaining("at most 4096 bytes");
    assertThatThrownBy(() -> store.write(new Batch().put("bad name", b("k"), b("v"))).join())
        .hasMessageContaining("map name");
    assertThat(store.get("m", b("k0"))).isEmpty();
  }

  @Test
  void write_diskFailure_failsGroup_truncates_andStoreStaysUsable() throws IOException {
    JournaledStore store = openStore();
    store.write(new Batch().put("m", b("before"), b("1"))).join();
    long sizeBefore = store.journalBytes();
    store.appendHook =
        (ch, start, end) -> {
          throw new IOException("No space left on device");
        };
    assertThatThrownBy(() -> store.write(new Batch().put("m", b("lost"), b("2"))).join())
        .hasCauseInstanceOf(StoreException.class)
        .hasMessageContaining("No space left on device");
    assertThat(store.journalBytes()).isEqualTo(sizeBefore);
    assertThat(store.get("m", b("lost"))).isEmpty();
    store.appendHook = null;
    store.write(new Batch().put("m", b("after"), b("3"))).join();
    crash(store);
    JournaledStore again = openStore();
    assertThat(again.get("m", b("before"))).isPresent();
    assertThat(again.get("m", b("after"))).isPresent();
    assertThat(again.get("m", b("lost"))).isEmpty();
  }

  @Test
  void randomSchedule_matchesModel_acrossCrashesAndReopens() {
    Random random = new Random(42);
    java.util.TreeMap<String, String> model = new java.util.TreeMap<>();
    JournaledStore store =
        openStore(
            StoreOptions.builder()
                .checkpointInterval(Duration.ofMillis(20))
                .compactionMinBytes(4096)
                .fsyncDisabledForTestsOnly(true)
                .build());
    for (int round = 0; round < 30; round++) {
      for (int i = 0; i < 20; i++) {
        Batch batch = new Batch();
        for (int j = 0; j < 1 + random.nextInt(5); j++) {
          String k = "k" + random.nextInt(50);
          if (random.nextInt(4) == 0) {
            batch.delete("m", b(k));
            model.remove(k);
          } else {
            String v = "v" + random.nextInt(1000);
            batch.put("m", b(k), b(v));
            model.put(k, v);
          }
        }
        store.write(batch).join();
      }
      switch (random.nextInt(4)) {
        case 0 -> {
          crash(store);
          store = openStore(store.options());
        }
        case 1 -> {
          closeStore(store);
          store = openStore(store.options());
        }
        case 2 -> store.compact().join();
        default -> {}
      }
      List<Store.Entry> entries = store.scan("m", new byte[0], 1000);
      java.util.TreeMap<String, String> actual = new java.util.TreeMap<>();
      entries.forEach(e -> actual.put(s(e.key()), s(e.value())));
      assertThat(actual).as("round %d", round).isEqualTo(model);
    }
    assertThat(store.recovery().rebuilt()).isFalse();
  }

  @Test
  void get_returnsCopies() {
    JournaledStore store = openStore();
    store.write(new Batch().put("m", b("k"), b("v"))).join();
    Optional<byte[]> v = store.get("m", b("k"));
    v.get()[0] = 'x';
    assertThat(store.get("m", b("k"))).map(JournaledStoreTest::s).contains("v");
  }
}
