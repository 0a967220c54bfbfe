package dev.sotto.bench.abuse;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How long a process's threads have waited for a CPU while runnable, from Linux's {@code
 * /proc/<pid>/task/<tid>/schedstat} (its second field: nanoseconds spent on a run queue). On a
 * shared machine this tells a server starved of CPU by other processes from one that is slow by
 * itself.
 */
final class RunQueue {
  private RunQueue() {}

  /** The run-queue wait of all of {@code pid}'s current threads, in nanoseconds; -1 if unknown. */
  static long waitNanos(String pid) {
    long total = 0;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", pid, "task"))) {
      for (Path task : tasks) {
        try {
          total += parseWaitNanos(Files.readString(task.resolve("schedstat")));
        } catch (IOException | IllegalArgumentException e) {
          // the thread ended between the listing and the read
        }
      }
      return total;
    } catch (IOException e) {
      return -1;
    }
  }

  /**
   * The run-queue wait from the text of a {@code schedstat} file ({@code "cpu_ns wait_ns slices"}).
   *
   * @throws IllegalArgumentException if the text is not a schedstat line
   */
  static long parseWaitNanos(String schedstat) {
    String[] f = schedstat.trim().split("\\s+");
    if (f.length != 3) {
      throw new IllegalArgumentException(
          "not a schedstat line: expected 3 fields, got " + f.length);
    }
    try {
      return Long.parseLong(f[1]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a schedstat line: wait is not a number", e);
    }
  }
}
