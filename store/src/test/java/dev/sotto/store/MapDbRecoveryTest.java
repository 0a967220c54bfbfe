package dev.sotto.store;

import static dev.sotto.store.JournaledStoreTest.b;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A MapDB file broken while the store was closed uncleanly is moved aside and rebuilt. */
class MapDbRecoveryTest {
  private static final StoreOptions FAST =
      StoreOptions.builder().fsyncDisabledForTestsOnly(true).build();
  private static final String[] MAPS = {"accounts", "mail", "prekeys"};
  private static final int PER_MAP = 700;

  enum Damage {
    OVERWRITE_MIDDLE,
    TRUNCATE_HALF,
    ZERO_ALL,
    TRUNCATE_EMPTY
  }

  @TempDir Path dir;

  private static byte[] value(String map, int i) {
    byte[] v = new byte[20 + (i % 50)];
    new Random(map.hashCode() * 31L + i).nextBytes(v);
    return v;
  }

  /** PER_MAP entries in each of MAPS, then "mail" loses key-7. */
  private static void fill(JournaledStore store) {
    for (String map : MAPS) {
      Batch batch = new Batch();
      for (int i = 0; i < PER_MAP; i++) {
        batch.put(map, b("key-" + i), value(map, i));
      }
      store.write(batch).join();
    }
    store.write(new Batch().delete("mail", b("key-7"))).join();
  }

  @ParameterizedTest
  @EnumSource(Damage.class)
  void brokenState_movedAsideAndRebuiltFromJournal(Damage damage) throws IOException {
    try (JournaledStore store = JournaledStore.open(dir, FAST)) {
      fill(store);
    }
    Files.delete(dir.resolve(JournaledStore.CLEAN)); // as if the process had been killed
    Path state = dir.resolve(JournaledStore.STATE);
    long size = Files.size(state);
    try (RandomAccessFile f = new RandomAccessFile(state.toFile(), "rw")) {
      switch (damage) {
        case OVERWRITE_MIDDLE -> {
          byte[] junk = new byte[(int) (size / 2)];
          new Random(7).nextBytes(junk);
          f.seek(size / 4);
          f.write(junk);
        }
        case TRUNCATE_HALF -> f.setLength(size / 2);
        case ZERO_ALL -> f.write(new byte[(int) size]);
        case TRUNCATE_EMPTY -> f.setLength(0);
      }
    }
    try (JournaledStore store = JournaledStore.open(dir, FAST)) {
      RecoveryReport r = store.recovery();
      assertThat(r.rebuilt()).isTrue();
      assertThat(r.cleanShutdown()).isFalse();
      assertThat(r.movedAside()).isPresent();
      assertThat(r.movedAside().get()).exists();
      assertThat(r.movedAside().get().getFileName().toString()).startsWith("state.db.broken-");
      for (String map : MAPS) {
        assertThat(store.scan(map, new byte[0], 10_000))
            .hasSize(map.equals("mail") ? PER_MAP - 1 : PER_MAP);
        for (int i = 0; i < PER_MAP; i++) {
          if (map.equals("mail") && i == 7) {
            assertThat(store.get(map, b("key-" + i))).isEmpty();
          } else {
            assertThat(store.get(map, b("key-" + i))).contains(value(map, i));
          }
        }
      }
    }
    // and the rebuilt state is sound: a further unclean open verifies it without rebuilding
    Files.delete(dir.resolve(JournaledStore.CLEAN));
    try (JournaledStore store = JournaledStore.open(dir, FAST)) {
      assertThat(store.recovery().rebuilt()).isFalse();
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.filter(p -> p.getFileName().toString().contains(".broken-"))).isNotEmpty();
    }
  }

  @org.junit.jupiter.api.Test
  void stateChangedWithoutReadError_detectedByDigest() throws IOException {
    try (JournaledStore store = JournaledStore.open(dir, FAST)) {
      store.write(new Batch().put("m", b("k"), b("v"))).join();
    }
    // a MapDB that opens fine but lost an entry the journal holds
    org.mapdb.DB db =
        org.mapdb.DBMaker.fileDB(dir.resolve(JournaledStore.STATE).toFile())
            .transactionEnable()
            .fileChannelEnable()
            .make();
    db.treeMap("m.m", org.mapdb.Serializer.BYTE_ARRAY, org.mapdb.Serializer.BYTE_ARRAY)
        .createOrOpen()
        .clear();
    db.commit();
    db.close();
    Files.delete(dir.resolve(JournaledStore.CLEAN));
    try (JournaledStore store = JournaledStore.open(dir, FAST)) {
      assertThat(store.recovery().rebuilt()).isTrue();
      assertThat(store.get("m", b("k"))).isPresent();
    }
  }

  @org.junit.jupiter.api.Test
  void stateAheadOfJournal_rebuiltFromJournal_withConsistentDigest() throws IOException {
    long afterFirst;
    try (JournaledStore store = JournaledStore.open(dir, FAST)) {
      store.write(new Batch().put("m", b("a"), b("1"))).join();
      afterFirst = store.journalBytes();
      store.write(new Batch().put("m", b("b"), b("2"))).join();
      store.write(new Batch().put("m", b("c"), b("3"))).join();
    }
    // the journal lost its last two records (say, restored from an older copy)
    try (RandomAccessFile f =
        new RandomAccessFile(dir.resolve(JournaledStore.JOURNAL).toFile(), "rw")) {
      f.setLength(afterFirst);
    }
    Files.delete(dir.resolve(JournaledStore.CLEAN));
    try (JournaledStore store = JournaledStore.open(dir, FAST)) {
      assertThat(store.recovery().rebuilt()).isTrue();
      assertThat(store.scan("m", new byte[0], 10)).hasSize(1);
      store.crashForTesting();
    }
    try (JournaledStore store = JournaledStore.open(dir, FAST)) {
      assertThat(store.recovery().rebuilt())
          .as("digest of the rebuilt state is consistent")
          .isFalse();
      assertThat(store.get("m", b("a"))).isPresent();
    }
  }

  /** Each map's layout as MapDB's catalog records it: true where values sit inside the nodes. */
  private java.util.Map<String, Boolean> inlineLayouts() {
    org.mapdb.DB db =
        org.mapdb.DBMaker.fileDB(dir.resolve(JournaledStore.STATE).toFile())
            .transactionEnable()
            .fileMmapEnable()
            .readOnly()
            .make();
    try {
      java.util.Map<String, Boolean> layouts = new java.util.TreeMap<>();
      db.nameCatalogLoad()
          .forEach(
              (k, v) -> {
                if (k.endsWith("#valueInline")) {
                  layouts.put(k.substring(0, k.indexOf('#')), Boolean.parseBoolean(v));
                }
              });
      return layouts;
    } finally {
      db.close();
    }
  }

  @org.junit.jupiter.api.Test
  void newMaps_keepTheirValuesOutsideTheNodes() throws IOException {
    try (JournaledStore store = JournaledStore.open(dir, FAST)) {
      store
          .write(new Batch().put("mail", b("k"), new byte[1100]).put("acc", b("a"), b("1")))
          .join();
    }
    assertThat(inlineLayouts())
        .containsOnly(java.util.Map.entry("m.mail", false), java.util.Map.entry("m.acc", false));
  }

  @org.junit.jupiter.api.Test
  void olderInlineLayout_rebuiltInTheCurrentOne_nothingLost() throws IOException {
    JournaledStore.inlineValuesForTests = true;
    try (JournaledStore store = JournaledStore.open(dir, FAST)) {
      fill(store);
    } finally {
      JournaledStore.inlineValuesForTests = false;
    }
    assertThat(inlineLayouts()).containsValues(true).doesNotContainValue(false);

    try (JournaledStore store = JournaledStore.open(dir, FAST)) {
      assertThat(store.recovery().rebuilt()).isTrue();
      assertThat(store.recovery().cleanShutdown()).isTrue();
      for (String map : MAPS) {
        assertThat(store.scan(map, new byte[0], 10_000))
            .hasSize(map.equals("mail") ? PER_MAP - 1 : PER_MAP);
        assertThat(store.get(map, b("key-" + 8))).contains(value(map, 8));
      }
    }
    assertThat(inlineLayouts()).hasSize(MAPS.length).doesNotContainValue(true);
    // once rebuilt, the layout is current: neither a clean nor an unclean open rebuilds again
    try (JournaledStore store = JournaledStore.open(dir, FAST)) {
      assertThat(store.recovery().rebuilt()).isFalse();
      store.crashForTesting();
    }
    try (JournaledStore store = JournaledStore.open(dir, FAST)) {
      assertThat(store.recovery().rebuilt()).isFalse();
      assertThat(store.get("mail", b("key-7"))).isEmpty();
      assertThat(store.get("prekeys", b("key-699"))).contains(value("prekeys", 699));
    }
  }

  @org.junit.jupiter.api.Test
  void damageUnderAnOpenStore_readFails_storeFails_reopenRebuildsEverything() throws Exception {
    try (JournaledStore store = JournaledStore.open(dir, FAST)) {
      fill(store);
    }
    // a clean open does not walk MapDB; the damage is then written under the open store (the
    // mapped file shows it at once), as a kill -9 can leave a node the walk never reads
    JournaledStore store = JournaledStore.open(dir, FAST);
    try {
      Path state = dir.resolve(JournaledStore.STATE);
      long size = Files.size(state);
      try (RandomAccessFile f = new RandomAccessFile(state.toFile(), "rw")) {
        byte[] junk = new byte[(int) (size / 2)];
        new Random(11).nextBytes(junk);
        f.seek(size / 4);
        f.write(junk);
      }
      StoreException failedRead =
          org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
              java.time.Duration.ofSeconds(30),
              () -> {
                for (String map : MAPS) {
                  for (int i = 0; i < PER_MAP; i++) {
                    try {
                      store.get(map, b("key-" + i));
                    } catch (StoreException e) {
                      return e;
                    }
                  }
                }
                return null;
              });
      assertThat(failedRead).as("some read met the damage").isNotNull();
      assertThat(failedRead).hasMessageContaining("MapDB is damaged");
      assertThat(JournaledStore.thrownByMapDb(failedRead.getCause())).isTrue();
      assertThat(
              store.failure().toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS))
          .isSameAs(failedRead.getCause());
      assertThat(dir.resolve(JournaledStore.SUSPECT)).exists();
    } finally {
      try {
        store.close();
      } catch (RuntimeException e) {
        // a damaged store may say so on close; the reopen below is what matters
      }
    }
    try (JournaledStore reopened = JournaledStore.open(dir, FAST)) {
      assertThat(reopened.recovery().rebuilt()).isTrue();
      for (String map : MAPS) {
        assertThat(reopened.scan(map, new byte[0], 10_000))
            .hasSize(map.equals("mail") ? PER_MAP - 1 : PER_MAP);
        assertThat(reopened.get(map, b("key-" + 500))).contains(value(map, 500));
      }
    }
  }

  @org.junit.jupiter.api.Test
  void ourOwnBugs_areNotTakenForMapDbDamage() {
    assertThat(JournaledStore.thrownByMapDb(new IllegalStateException("ours"))).isFalse();
    assertThat(JournaledStore.thrownByMapDb(new org.mapdb.DBException.PointerChecksumBroken()))
        .isTrue();
  }
}
