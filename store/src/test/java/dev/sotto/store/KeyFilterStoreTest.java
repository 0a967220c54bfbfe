package dev.sotto.store;

import static dev.sotto.store.JournaledStoreTest.b;
import static dev.sotto.store.JournaledStoreTest.s;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store with its {@link KeyFilter} and {@link ReadCache} in front of MapDB: a seeded random
 * schedule of writes, deletes, reads, checkpoints, crashes and reopenings against a plain
 * sorted-map model. A filter with a false negative would hide a key that MapDB holds, or leave a
 * deleted one in MapDB; a stale cached value would show an overwritten or deleted one.
 */
class KeyFilterStoreTest {
  private static final StoreOptions FAST =
      StoreOptions.builder()
          .fsyncDisabledForTestsOnly(true)
          .checkpointInterval(Duration.ofMillis(5))
          .build();
  private static final String[] MAPS = {"a", "b", "c"};

  @TempDir Path dir;

  private static void awaitFilter(JournaledStore store, long builds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (store.stats().keyFilterBuilds() < builds && System.nanoTime() < deadline) {
      Thread.sleep(2);
    }
    assertThat(store.stats().keyFilterBuilds()).isGreaterThanOrEqualTo(builds);
  }

  private static void assertModel(Store store, TreeMap<String, String>[] model, int keys) {
    for (int m = 0; m < MAPS.length; m++) {
      TreeMap<String, String> seen = new TreeMap<>();
      store.scan(MAPS[m], new byte[0], 1_000_000).forEach(e -> seen.put(s(e.key()), s(e.value())));
      assertThat(seen).as("map %s", MAPS[m]).isEqualTo(model[m]);
      for (int i = 0; i < keys; i++) {
        String k = "k" + i;
        assertThat(store.get(MAPS[m], b(k)).map(JournaledStoreTest::s))
            .as("%s/%s", MAPS[m], k)
            .isEqualTo(Optional.ofNullable(model[m].get(k)));
      }
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void randomSchedule_matchesModel_acrossCheckpointsCrashesAndReopens() throws Exception {
    Random rnd = new Random(20261207);
    TreeMap<String, String>[] model = new TreeMap[MAPS.length];
    for (int m = 0; m < MAPS.length; m++) {
      model[m] = new TreeMap<>();
    }
    int keys = 400;
    long skips = 0;
    long cacheHits = 0;
    for (int round = 0; round < 6; round++) {
      JournaledStore store = JournaledStore.open(dir, FAST);
      try {
        awaitFilter(store, 1);
        assertModel(store, model, keys);
        for (int step = 0; step < 150; step++) {
          int m = rnd.nextInt(MAPS.length);
          String k = "k" + rnd.nextInt(keys);
          switch (rnd.nextInt(4)) {
            case 0, 1 -> {
              String v = "v" + round + "-" + step;
              store.write(new Batch().put(MAPS[m], b(k), b(v))).join();
              model[m].put(k, v);
            }
            case 2 -> {
              store.write(new Batch().delete(MAPS[m], b(k))).join();
              model[m].remove(k);
            }
            default -> {
              // read-decide-write on the writer thread, as the mailboxes do
              String seen =
                  store
                      .update(
                          txn -> {
                            Optional<byte[]> v = txn.get(MAPS[m], b(k));
                            txn.put(
                                MAPS[m], b(k), b("u" + v.map(JournaledStoreTest::s).orElse("")));
                            return v.map(JournaledStoreTest::s).orElse(null);
                          })
                      .join();
              assertThat(seen).as("update read of %s/%s", MAPS[m], k).isEqualTo(model[m].get(k));
              model[m].put(k, "u" + (seen == null ? "" : seen));
            }
          }
          if (rnd.nextInt(50) == 0) {
            Thread.sleep(rnd.nextInt(15)); // let a checkpoint or two through
          }
        }
        assertModel(store, model, keys);
        skips += store.stats().keyFilterSkips();
        cacheHits += store.stats().readCacheHits();
      } finally {
        if (round % 2 == 0) {
          store.crashForTesting();
        } else {
          store.close();
        }
      }
    }
    assertThat(skips).as("reads and deletes the filter kept out of MapDB").isPositive();
    assertThat(cacheHits).as("reads the read cache answered").isPositive();
    JournaledStore last = JournaledStore.open(dir, FAST);
    try {
      assertModel(last, model, keys);
    } finally {
      last.close();
    }
  }

  @Test
  void keyDeletedAgainAndAgain_isKnownAbsent_andItsDeletesStayOutOfMapDb() throws Exception {
    // Checkpoints only when the test forces them (by compacting), so none falls between the
    // steps.
    StoreOptions manual = FAST.toBuilder().checkpointInterval(Duration.ofHours(1)).build();
    JournaledStore store = JournaledStore.open(dir, manual);
    try {
      awaitFilter(store, 1);
      store.write(new Batch().put("usage", b("bob"), b("1"))).join();
      store.compact().join(); // MapDB holds it, so the filter says "maybe" from now on
      store.write(new Batch().delete("usage", b("bob"))).join();
      store.compact().join(); // removed from MapDB

      // The writer reads it (as a mailbox store reads its usage) and finds it absent in MapDB.
      assertThat(store.update(txn -> txn.get("usage", b("bob"))).join()).isEmpty();
      store.write(new Batch().put("usage", b("bob"), b("1"))).join();
      store.write(new Batch().delete("usage", b("bob"))).join();
      long hits = store.stats().readCacheHits();
      store.compact().join(); // checkpoints the delete
      assertThat(store.stats().readCacheHits() - hits)
          .as("the checkpointed delete was known to be a no-op")
          .isEqualTo(1);
      assertThat(store.get("usage", b("bob"))).isEmpty();

      // A put reaching MapDB drops the mark.
      store.write(new Batch().put("usage", b("bob"), b("2"))).join();
      store.compact().join();
      assertThat(store.get("usage", b("bob")).map(JournaledStoreTest::s)).contains("2");
      assertThat(store.update(txn -> txn.get("usage", b("bob"))).join())
          .map(JournaledStoreTest::s)
          .contains("2");
    } finally {
      store.close();
    }
    JournaledStore reopened = JournaledStore.open(dir, manual);
    try {
      assertThat(reopened.get("usage", b("bob")).map(JournaledStoreTest::s)).contains("2");
    } finally {
      reopened.close();
    }
  }

  @Test
  void saturatedFilter_isRebuilt_andStillFindsEveryKey() throws Exception {
    KeyFilter.minCapacity = 1024;
    JournaledStore store = JournaledStore.open(dir, FAST);
    try {
      awaitFilter(store, 1);
      int n = 3_000;
      for (int i = 0; i < n; i += 1000) {
        Batch batch = new Batch();
        for (int j = i; j < Math.min(n, i + 1000); j++) {
          batch.put("m", b("key" + j), b("v" + j));
        }
        store.write(batch).join();
      }
      store.compact().join(); // forces a checkpoint of everything
      awaitFilter(store, 2);
      for (int i = 0; i < n; i += 7) {
        assertThat(store.get("m", b("key" + i)).map(JournaledStoreTest::s)).contains("v" + i);
      }
      long before = store.stats().keyFilterSkips();
      for (int i = 0; i < 1000; i++) {
        assertThat(store.get("m", b("absent" + i))).isEmpty();
      }
      assertThat(store.stats().keyFilterSkips() - before).isGreaterThan(900);
    } finally {
      KeyFilter.minCapacity = KeyFilter.MIN_CAPACITY;
      store.close();
    }
  }
}
