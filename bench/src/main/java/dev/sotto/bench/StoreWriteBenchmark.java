package dev.sotto.bench;

import dev.sotto.store.Batch;
import dev.sotto.store.JournaledStore;
import dev.sotto.store.StoreOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Acknowledged (fsynced) writes per second of {@link JournaledStore} with the product options
 * (fsync on, group commit up to 2 ms / 1000 ops), 100-byte values, batches of {@code batchSize}
 * puts. {@code concurrentWriters}: 16 threads each awaiting the ack of its own batch (group commit
 * at work); {@code singleWriter}: one thread, one batch at a time. The {@code writes} counter is
 * the figure to read (puts acknowledged per second); the primary score counts batches. Each trial
 * prints the store's phase timings ({@link JournaledStore#stats()}): journal write and force,
 * memtable publish, MapDB apply and commit on the checkpointer thread, back-pressure waits.
 *
 * <p>Run:
 *
 * <pre>
 * mvn -B -q -o -pl bench -am package dependency:build-classpath -DskipTests \
 *     -Dmdep.outputFile=/tmp/bench.cp
 * java -cp bench/target/classes:$(cat /tmp/bench.cp) org.openjdk.jmh.Main StoreWriteBenchmark \
 *     -f 1 -wi 1 -w 2s -i 3 -r 3s
 * </pre>
 *
 * Add {@code -bm sample -tu ms -p batchSize=1,100} for ack latency percentiles. To compare with an
 * older store, keep its {@code store/target/classes} and this module's classes from a build of that
 * commit and run the same command with them first on the class path, back to back. Figures are in
 * {@code bench/results/store-write.md}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StoreWriteBenchmark {

  /** One store per trial, in a fresh temp directory. */
  @State(Scope.Benchmark)
  public static class StoreState {
    @Param({"1", "100", "1000"})
    public int batchSize;

    JournaledStore store;
    Path dir;
    final AtomicInteger threads = new AtomicInteger();
    byte[] value;

    @Setup(Level.Trial)
    public void open() throws IOException {
      dir = Files.createTempDirectory("sotto-bench-store");
      store = JournaledStore.open(dir, StoreOptions.defaults());
      value = new byte[100];
      System.out.printf("%nstore %s, batch %d, options %s%n", dir, batchSize, store.options());
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
      JournaledStore.Stats st = store.stats();
      System.out.printf(
          "%njournal forces: %d, journal bytes: %d%n", store.journalForces(), store.journalBytes());
      System.out.printf(
          "phases: groups %d, write+force %d ms (%.2f ms/group), publish %d ms (%.3f ms/group);"
              + " checkpoints %d, entries %d, MapDB apply %d ms (%.1f us/entry), commit %d ms,"
              + " longest checkpoint %d ms; back-pressure waits %d, %d ms; memtable %d KiB%n",
          st.groups(),
          st.forceTime().toMillis(),
          st.forceTime().toNanos() / 1e6 / Math.max(1, st.groups()),
          st.publishTime().toMillis(),
          st.publishTime().toNanos() / 1e6 / Math.max(1, st.groups()),
          st.checkpoints(),
          st.checkpointedEntries(),
          st.applyTime().toMillis(),
          st.applyTime().toNanos() / 1e3 / Math.max(1, st.checkpointedEntries()),
          st.commitTime().toMillis(),
          st.maxCheckpointTime().toMillis(),
          st.backPressureWaits(),
          st.backPressureTime().toMillis(),
          st.memtableBytes() >> 10);
      long t0 = System.nanoTime();
      store.close();
      System.out.printf("close (final checkpoint) %d ms%n", (System.nanoTime() - t0) / 1_000_000);
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /** Per-thread key space and the acknowledged-writes counter. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class WriterState {
    public long writes;
    int thread;
    long next;

    @Setup(Level.Trial)
    public void id(StoreState s) {
      thread = s.threads.getAndIncrement();
    }

    @Setup(Level.Iteration)
    public void reset() {
      writes = 0;
    }

    Batch batch(StoreState s) {
      Batch b = new Batch();
      for (int i = 0; i < s.batchSize; i++) {
        byte[] key = ByteBuffer.allocate(12).putInt(thread).putLong(next++).array();
        b.put("bench", key, s.value);
      }
      return b;
    }
  }

  @Benchmark
  @Threads(16)
  public void concurrentWriters(StoreState s, WriterState w) {
    s.store.write(w.batch(s)).join();
    w.writes += s.batchSize;
  }

  @Benchmark
  @Threads(1)
  public void singleWriter(StoreState s, WriterState w) {
    s.store.write(w.batch(s)).join();
    w.writes += s.batchSize;
  }
}
