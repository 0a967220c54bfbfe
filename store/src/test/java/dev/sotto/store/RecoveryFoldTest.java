package dev.sotto.store;

import static dev.sotto.store.JournaledStoreTest.b;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The open folds the journal tail (or, for a rebuild, the whole journal) into a memtable and spills
 * it to MapDB when it grows; crash images taken at a spill reopen to the same state.
 */
class RecoveryFoldTest {
  /** No checkpoint while a test writes, so the journal tail past MapDB's position is long. */
  private static final StoreOptions NO_CHECKPOINTS =
      StoreOptions.builder()
          .fsyncDisabledForTestsOnly(true)
          .checkpointInterval(Duration.ofHours(1))
          .maxMemtableBytes(64L << 20)
          .maxOpsPerBatch(40)
          .build();

  /** Spills every ~8 KiB during an open. */
  private static final StoreOptions SMALL =
      NO_CHECKPOINTS.toBuilder().maxMemtableBytes(16 * 1024).build();

  @TempDir Path dir;

  /** Writes 600 keys in 30 batches (some deleted again), returning the expected state. */
  private static TreeMap<String, String> writeRounds(JournaledStore store, int from, int rounds) {
    TreeMap<String, String> model = new TreeMap<>();
    Random random = new Random(from);
    for (int round = from; round < from + rounds; round++) {
      Batch batch = new Batch();
      for (int i = 0; i < 20; i++) {
        String key = "k" + random.nextInt(600);
        if (random.nextInt(6) == 0) {
          batch.delete("m", b(key));
          model.put(key, null);
        } else {
          String value = "v" + round + "-" + i + "-" + "x".repeat(random.nextInt(100));
          batch.put("m", b(key), b(value));
          model.put(key, value);
        }
      }
      store.write(batch).join();
    }
    return model;
  }

  private static void assertState(Store store, Map<String, String> model) {
    List<String> live = new ArrayList<>();
    for (Map.Entry<String, String> e : model.entrySet()) {
      var got = store.get("m", b(e.getKey()));
      if (e.getValue() == null) {
        assertThat(got).as(e.getKey()).isEmpty();
      } else {
        assertThat(got).as(e.getKey()).isPresent();
        assertThat(new String(got.get(), StandardCharsets.UTF_8)).isEqualTo(e.getValue());
        live.add(e.getKey());
      }
    }
    assertThat(store.scan("m", new byte[0], 100_000)).hasSize(live.size());
  }

  private static void copyDir(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) {
        if (Files.isRegularFile(f)) {
          Files.copy(f, to.resolve(f.getFileName()));
        }
      }
    }
  }

  private static void damageState(Path dir) throws IOException {
    Path state = dir.resolve(JournaledStore.STATE);
    long size = Files.size(state);
    try (RandomAccessFile f = new RandomAccessFile(state.toFile(), "rw")) {
      byte[] junk = new byte[(int) (size / 2)];
      new Random(7).nextBytes(junk);
      f.seek(size / 4);
      f.write(junk);
    }
  }

  @Test
  void unclean_tailFoldedIntoMemtable_readableAtOnceAndInMapDbAfterClose() {
    JournaledStore store = JournaledStore.open(dir, NO_CHECKPOINTS);
    TreeMap<String, String> model = writeRounds(store, 0, 30);
    store.crashForTesting();

    JournaledStore reopened = JournaledStore.open(dir, NO_CHECKPOINTS);
    assertThat(reopened.recovery().rebuilt()).isFalse();
    assertThat(reopened.recovery().replayedRecords()).isEqualTo(30);
    assertThat(reopened.recovery().phases().spills()).isZero();
    assertThat(reopened.checkpoints()).as("nothing committed to MapDB during the open").isZero();
    assertState(reopened, model);
    reopened.close();

    JournaledStore again = JournaledStore.open(dir, NO_CHECKPOINTS);
    assertThat(again.recovery().cleanShutdown()).isTrue();
    assertThat(again.recovery().replayedRecords()).isZero();
    assertState(again, model);
    again.close();
  }

  @Test
  void unclean_longTail_spilledDuringOpen_andCrashImageAtSpillReopens() throws Exception {
    JournaledStore store = JournaledStore.open(dir.resolve("live"), NO_CHECKPOINTS);
    TreeMap<String, String> model = writeRounds(store, 0, 60);
    store.crashForTesting();

    Path image = dir.resolve("image");
    JournaledStore reopened =
        JournaledStore.open(
            dir.resolve("live"),
            SMALL,
            (spills, rebuilding) -> {
              assertThat(rebuilding).isFalse();
              if (spills == 2) {
                copyDir(dir.resolve("live"), image);
              }
            });
    assertThat(reopened.recovery().phases().spills()).isGreaterThanOrEqualTo(2);
    assertThat(reopened.recovery().replayedRecords()).isEqualTo(60);
    assertState(reopened, model);
    reopened.crashForTesting();

    // killed right after the second spill of an open: MapDB holds a consistent checkpoint
    JournaledStore fromImage = JournaledStore.open(image, SMALL);
    assertThat(fromImage.recovery().rebuilt()).isFalse();
    assertThat(fromImage.recovery().replayedRecords()).isPositive().isLessThan(60);
    assertState(fromImage, model);
    fromImage.close();

    JournaledStore again = JournaledStore.open(dir.resolve("live"), SMALL);
    assertThat(again.recovery().rebuilt()).isFalse();
    assertState(again, model);
    again.close();
  }

  @Test
  void rebuild_afterCompaction_spillsInsideAndAfterSnapshot_crashImagesRebuildOrReplay()
      throws Exception {
    Path live = dir.resolve("live");
    JournaledStore store = JournaledStore.open(live, NO_CHECKPOINTS);
    TreeMap<String, String> model = writeRounds(store, 0, 60);
    store.compact().join(); // snapshot records of at most 40 ops each
    model.putAll(writeRounds(store, 100, 40));
    store.crashForTesting();
    damageState(live);

    List<Path> images = new ArrayList<>();
    JournaledStore rebuilt =
        JournaledStore.open(
            live,
            SMALL,
            (spills, rebuilding) -> {
              assertThat(rebuilding).isTrue();
              if (spills % 5 == 1) {
                Path image = dir.resolve("image-" + spills);
                copyDir(live, image);
                images.add(image);
              }
            });
    assertThat(rebuilt.recovery().rebuilt()).isTrue();
    assertThat(rebuilt.recovery().phases().spills()).isGreaterThanOrEqualTo(2);
    assertState(rebuilt, model);
    rebuilt.crashForTesting();

    assertThat(images).hasSizeGreaterThanOrEqualTo(2);
    for (Path image : images) {
      // killed during the rebuild: the next open rebuilds again and loses nothing
      JournaledStore s = JournaledStore.open(image, SMALL);
      assertThat(s.recovery().rebuilt()).as(image.toString()).isTrue();
      assertState(s, model);
      s.close();
    }

    // killed after the rebuild's open: its last commit is a consistent checkpoint
    JournaledStore after = JournaledStore.open(live, SMALL);
    assertThat(after.recovery().rebuilt()).isFalse();
    assertState(after, model);
    after.close();
  }

  @Test
  void rebuild_smallJournal_endsWithTailInMemtable_thenCleanAfterClose() throws IOException {
    Path live = dir.resolve("live");
    JournaledStore store = JournaledStore.open(live, NO_CHECKPOINTS);
    TreeMap<String, String> model = writeRounds(store, 0, 30);
    store.crashForTesting();
    Path state = live.resolve(JournaledStore.STATE);
    Files.write(state, new byte[(int) Files.size(state)]); // zeroed: unreadable

    JournaledStore rebuilt = JournaledStore.open(live, NO_CHECKPOINTS);
    assertThat(rebuilt.recovery().rebuilt()).isTrue();
    assertThat(rebuilt.recovery().phases().spills()).isZero();
    assertState(rebuilt, model);
    rebuilt.close();

    JournaledStore again = JournaledStore.open(live, NO_CHECKPOINTS);
    assertThat(again.recovery().cleanShutdown()).isTrue();
    assertThat(again.recovery().rebuilt()).isFalse();
    assertState(again, model);
    again.close();
  }
}
