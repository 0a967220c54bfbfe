package dev.sotto.store;

import static dev.sotto.store.JournaledStoreTest.b;
import static dev.sotto.store.JournaledStoreTest.s;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompactionTest {
  private static final StoreOptions FAST =
      StoreOptions.builder().fsyncDisabledForTestsOnly(true).build();

  @TempDir Path dir;

  private static TreeMap<String, String> contents(Store store, String map) {
    TreeMap<String, String> m = new TreeMap<>();
    store.scan(map, new byte[0], 100_000).forEach(e -> m.put(s(e.key()), s(e.value())));
    return m;
  }

  private List<JournalRecord> records() throws IOException {
    List<JournalRecord> out = new ArrayList<>();
    Path p = dir.resolve(JournaledStore.JOURNAL);
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
      JournalFile.scan(p, ch, StoreOptions.RECORD_BYTES_LIMIT, out::add);
    }
    return out;
  }

  private static TreeMap<String, String> fillWithChurn(Store store) {
    TreeMap<String, String> model = new TreeMap<>();
    for (int round = 0; round < 20; round++) {
      Batch batch = new Batch();
      for (int i = 0; i < 50; i++) {
        String k = "k" + i;
        if ((i + round) % 7 == 0) {
          batch.delete("m", b(k));
          model.remove(k);
        } else {
          String v = "v" + round + "-" + i;
          batch.put("m", b(k), b(v));
          model.put(k, v);
        }
      }
      store.write(batch).join();
    }
    return model;
  }

  @Test
  void compact_keepsExactlyTheLiveState() throws IOException {
    TreeMap<String, String> model;
    long before;
    try (JournaledStore store = JournaledStore.open(dir, FAST)) {
      model = fillWithChurn(store);
      store.write(new Batch().put("other", b("x"), b("y"))).join();
      before = store.journalBytes();
      store.compact().join();
      assertThat(store.journalBytes()).isLessThan(before / 5);
      assertThat(contents(store, "m")).isEqualTo(model);
    }
    // the journal itself now holds exactly the live state as snapshot records
    Map<String, String> journaled = new TreeMap<>();
    for (JournalRecord r : records()) {
      assertThat(r.kind()).isEqualTo(JournalRecord.SNAPSHOT);
      for (Batch.Op op : r.ops()) {
        assertThat(op.isDelete()).isFalse();
        assertThat(journaled.put(op.map() + "/" + s(op.key()), s(op.value()))).isNull();
      }
    }
    Map<String, String> expected = new TreeMap<>();
    model.forEach((k, v) -> expected.put("m/" + k, v));
    expected.put("other/x", "y");
    assertThat(journaled).isEqualTo(expected);
    // a rebuild from the compacted journal alone gives the same state
    deleteState();
    try (JournaledStore store = JournaledStore.open(dir, FAST)) {
      assertThat(store.recovery().rebuilt()).isTrue();
      assertThat(contents(store, "m")).isEqualTo(model);
      assertThat(store.get("other", b("x"))).map(JournaledStoreTest::s).contains("y");
    }
  }

  @Test
  void compact_thenWritesThenCrash_replaysAfterSnapshot() {
    JournaledStore store = JournaledStore.open(dir, FAST);
    TreeMap<String, String> model = fillWithChurn(store);
    store.compact().join();
    store.write(new Batch().put("m", b("new"), b("after")).delete("m", b("k1"))).join();
    model.put("new", "after");
    model.remove("k1");
    store.crashForTesting();
    try (JournaledStore again = JournaledStore.open(dir, FAST)) {
      assertThat(again.recovery().rebuilt()).isFalse();
      assertThat(contents(again, "m")).isEqualTo(model);
    }
  }

  @Test
  void leftoverTempFile_fromCrashBeforeRename_removedAndIgnored() throws IOException {
    TreeMap<String, String> model;
    try (JournaledStore store = JournaledStore.open(dir, FAST)) {
      model = fillWithChurn(store);
    }
    // a compaction that died half-way: a partial snapshot that must not be used
    Files.write(dir.resolve(JournaledStore.JOURNAL_COMPACT), new byte[] {'S', 'O', 'T', 'T', 1, 2});
    Files.delete(dir.resolve(JournaledStore.CLEAN));
    try (JournaledStore store = JournaledStore.open(dir, FAST)) {
      assertThat(dir.resolve(JournaledStore.JOURNAL_COMPACT)).doesNotExist();
      assertThat(contents(store, "m")).isEqualTo(model);
    }
  }

  @Test
  void emptyState_compactsToSnapshotMarker_andKeepsSequence() throws IOException {
    try (JournaledStore store = JournaledStore.open(dir, FAST)) {
      store.write(new Batch().put("m", b("a"), b("1"))).join();
      store.write(new Batch().delete("m", b("a"))).join();
      store.compact().join();
      store.write(new Batch().put("m", b("b"), b("2"))).join();
    }
    List<JournalRecord> rs = records();
    assertThat(rs).hasSize(2);
    assertThat(rs.get(0).kind()).isEqualTo(JournalRecord.SNAPSHOT);
    assertThat(rs.get(0).ops()).isEmpty();
    assertThat(rs.get(1).seq()).isEqualTo(rs.get(0).seq() + 1);
    deleteState();
    try (JournaledStore store = JournaledStore.open(dir, FAST)) {
      assertThat(contents(store, "m")).containsExactly(Map.entry("b", "2"));
    }
  }

  @Test
  void autoCompaction_triggeredBySizeRatio() {
    StoreOptions opts = FAST.toBuilder().compactionMinBytes(16 * 1024).compactionRatio(2).build();
    try (JournaledStore store = JournaledStore.open(dir, opts)) {
      for (int i = 0; i < 2000; i++) {
        store.write(new Batch().put("m", b("counter"), b("value-" + i))).join();
      }
      assertThat(store.compactions()).isPositive();
      assertThat(store.journalBytes()).isLessThan(16 * 1024 + 1024);
      assertThat(store.get("m", b("counter"))).map(JournaledStoreTest::s).contains("value-1999");
    }
  }

  private void deleteState() throws IOException {
    try (var files = Files.list(dir)) {
      for (Path p : files.toList()) {
        if (p.getFileName().toString().startsWith(JournaledStore.STATE)) {
          Files.delete(p);
        }
      }
    }
    Files.deleteIfExists(dir.resolve(JournaledStore.CLEAN));
  }
}
