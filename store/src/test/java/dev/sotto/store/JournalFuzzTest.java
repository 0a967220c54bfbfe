package dev.sotto.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;

/**
 * Arbitrary bytes as a journal file: opening the store either succeeds or throws {@link
 * StoreException}, never anything else, and never hangs. Half of the inputs get the journal magic
 * in front so that the fuzzer reaches the record parser.
 */
class JournalFuzzTest {
  private static final StoreOptions OPTIONS =
      StoreOptions.builder().fsyncDisabledForTestsOnly(true).maxRecordBytes(1 << 20).build();
  private static final ExecutorService opener = Executors.newSingleThreadExecutor();

  @AfterAll
  static void stop() {
    opener.shutdownNow();
  }

  @FuzzTest(maxDuration = "30s")
  void open_arbitraryJournalBytes_onlyStoreException(byte[] data) throws Exception {
    Path dir = Files.createTempDirectory("sotto-fuzz");
    try {
      final byte[] journal;
      if (data.length > 0 && (data[0] & 1) == 1) {
        journal = new byte[JournalFile.MAGIC.length + data.length - 1];
        System.arraycopy(JournalFile.MAGIC, 0, journal, 0, JournalFile.MAGIC.length);
        System.arraycopy(data, 1, journal, JournalFile.MAGIC.length, data.length - 1);
      } else {
        journal = data;
      }
      Files.write(dir.resolve(JournaledStore.JOURNAL), journal);
      Future<?> f =
          opener.submit(
              () -> {
                try (JournaledStore store = JournaledStore.open(dir, OPTIONS)) {
                  assertThat(store.recovery().truncatedBytes())
                      .isBetween(0L, (long) journal.length);
                } catch (StoreException expected) {
                  assertThat(expected.getMessage()).isNotBlank();
                }
                return null;
              });
      try {
        f.get(20, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        throw new AssertionError("opening a " + journal.length + "-byte journal hung", e);
      } catch (java.util.concurrent.ExecutionException e) {
        if (e.getCause() instanceof Exception ex) {
          throw ex;
        }
        throw (Error) e.getCause();
      }
    } finally {
      deleteTree(dir);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
