package dev.sotto.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and resident memory of a process, read from Linux's {@code /proc/<pid>/stat} and {@code
 * /proc/<pid>/status}. CPU is user plus system time of all the process's threads, in clock ticks
 * ({@code getconf CLK_TCK}, 100 on Linux/x86).
 */
public final class ProcStats {
  /** Clock ticks per second used by {@code /proc/<pid>/stat}. */
  public static final long CLOCK_TICKS_PER_SECOND = 100;

  private ProcStats() {}

  /** One reading of a process. */
  public record Sample(long cpuTicks, long rssKib, long wallNanos) {
    /** CPU microseconds between {@code earlier} and this sample. */
    public long cpuMicrosSince(Sample earlier) {
      return (cpuTicks - earlier.cpuTicks) * 1_000_000L / CLOCK_TICKS_PER_SECOND;
    }

    /** Busy fraction of one core between {@code earlier} and this sample. */
    public double coreFractionSince(Sample earlier) {
      long wall = wallNanos - earlier.wallNanos;
      return wall <= 0 ? 0 : cpuMicrosSince(earlier) * 1000.0 / wall;
    }
  }

  /** Reads {@code pid} now ("self" for this process). */
  public static Sample sample(String pid) throws IOException {
    long now = System.nanoTime();
    String stat = Files.readString(Path.of("/proc", pid, "stat"));
    String status = Files.readString(Path.of("/proc", pid, "status"));
    return new Sample(parseCpuTicks(stat), parseRssKib(status), now);
  }

  /**
   * utime + stime from the text of {@code /proc/<pid>/stat}. The command name (field 2) is in
   * parentheses and may itself hold spaces and parentheses, so fields are counted after the last
   * {@code ')'}: utime and stime are fields 14 and 15.
   *
   * @throws IllegalArgumentException if the text is not a stat line
   */
  public static long parseCpuTicks(String stat) {
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      throw new IllegalArgumentException("not a /proc/<pid>/stat line: no ')'");
    }
    String[] fields = stat.substring(close + 1).trim().split("\\s+");
    // fields[0] is field 3 (state), so field k is fields[k - 3].
    if (fields.length < 13) {
      throw new IllegalArgumentException(
          "not a /proc/<pid>/stat line: expected at least 15 fields, got " + (fields.length + 2));
    }
    try {
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a /proc/<pid>/stat line: utime/stime not numbers", e);
    }
  }

  /**
   * VmRSS in KiB from the text of {@code /proc/<pid>/status}.
   *
   * @throws IllegalArgumentException if there is no VmRSS line (e.g. a zombie)
   */
  public static long parseRssKib(String status) {
    for (String line : status.split("\n")) {
      if (line.startsWith("VmRSS:")) {
        String[] parts = line.substring(6).trim().split("\\s+");
        if (parts.length == 2 && parts[1].equals("kB")) {
          return Long.parseLong(parts[0]);
        }
        throw new IllegalArgumentException("unexpected VmRSS line: " + line);
      }
    }
    throw new IllegalArgumentException("no VmRSS line in /proc/<pid>/status");
  }
}
