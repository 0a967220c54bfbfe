package dev.sotto.store;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The victim of {@link KillLoopIT}: opens a store and writes until it is killed, printing {@code A
 * <id>} on stdout (flushed per line) once the write of data key {@code id} is acknowledged.
 *
 * <p>Arguments: store directory, first id, number of writer threads.
 */
public final class KillLoopWriter {
  private KillLoopWriter() {}

  /** Options that make checkpoints and compactions frequent, so kills land inside them. */
  static StoreOptions options() {
    return StoreOptions.builder()
        .checkpointInterval(Duration.ofMillis(200))
        .compactionMinBytes(256 * 1024)
        .compactionRatio(1.5)
        .build();
  }

  static byte[] key(long id) {
    return Long.toString(id).getBytes(StandardCharsets.US_ASCII);
  }

  /** The value written for {@code id}: 16-315 pseudo-random bytes that depend only on it. */
  static byte[] value(long id) {
    SplittableRandom r = new SplittableRandom(id);
    byte[] v = new byte[16 + (int) (id % 300)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (byte) r.nextInt();
    }
    return v;
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    AtomicLong next = new AtomicLong(Long.parseLong(args[1]));
    int threads = Integer.parseInt(args[2]);
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.US_ASCII);
    JournaledStore store = JournaledStore.open(dir, options());
    synchronized (out) {
      out.println("OPEN " + store.recovery().rebuilt());
      out.flush();
    }
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread th =
          new Thread(
              () -> {
                byte[] counter = ("t" + thread).getBytes(StandardCharsets.US_ASCII);
                long previous = -1;
                for (long n = 0; ; n++) {
                  long id = next.getAndIncrement();
                  CompletableFuture<?> f;
                  if (n % 10 == 9) {
                    long prev = previous;
                    f =
                        store.update(
                            txn -> {
                              txn.put("data", key(id), value(id));
                              txn.put("counter", counter, key(id));
                              if (prev >= 0) {
                                txn.delete("tmp", key(prev));
                              }
                              return null;
                            });
                  } else {
                    Batch batch =
                        new Batch()
                            .put("data", key(id), value(id))
                            .put("counter", counter, key(id))
                            .put("tmp", key(id), value(id));
                    if (previous >= 0) {
                      batch.delete("tmp", key(previous));
                    }
                    f = store.write(batch);
                  }
                  f.join();
                  previous = id;
                  synchronized (out) {
                    out.println("A " + id);
                    out.flush();
                  }
                }
              },
              "kill-loop-writer-" + t);
      th.start();
    }
    Thread.sleep(Long.MAX_VALUE);
  }
}
