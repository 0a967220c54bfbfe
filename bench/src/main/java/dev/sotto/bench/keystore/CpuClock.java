package dev.sotto.bench.keystore;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * The benchmark thread's CPU time per operation over each measurement iteration, next to JMH's
 * wall-clock figures. On a shared, oversubscribed machine wall time includes the time the thread
 * waited for a core; thread CPU time does not, so ratios of CPU times compare the work itself. Each
 * benchmark method counts its operations ({@link #ops}); the totals of every measurement iteration
 * are appended to a file in the directory named by the system property {@value #DIR_PROPERTY} (set
 * for the forks by {@link KeystoreBenchmarks}), as {@code key<TAB>cpuNanos<TAB>ops}.
 */
@State(Scope.Thread)
public class CpuClock {
  static final String DIR_PROPERTY = "sotto.bench.cpu.dir";
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** Operations in this iteration; benchmark methods increment it. */
  public long ops;

  private long thread;
  private long start;

  @Setup(Level.Iteration)
  public void start() {
    ops = 0;
    thread = Thread.currentThread().getId();
    start = THREADS.getThreadCpuTime(thread);
  }

  @TearDown(Level.Iteration)
  public void stop(BenchmarkParams benchmark, IterationParams iteration) throws IOException {
    long cpu = THREADS.getThreadCpuTime(thread) - start;
    String dir = System.getProperty(DIR_PROPERTY);
    if (dir == null || ops == 0 || iteration.getType() != IterationType.MEASUREMENT) {
      return;
    }
    Files.writeString(
        Path.of(dir, "cpu.tsv"),
        key(benchmark) + "\t" + cpu + "\t" + ops + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  /** The method name and its parameters, as {@link KeystoreBenchmarks} keys its figures. */
  static String key(BenchmarkParams b) {
    String name = b.getBenchmark();
    name = name.substring(name.lastIndexOf('.') + 1);
    List<String> params = new ArrayList<>();
    for (String p : b.getParamsKeys()) {
      params.add(p + "=" + b.getParam(p));
    }
    return params.isEmpty() ? name : name + " " + String.join(" ", params);
  }
}
