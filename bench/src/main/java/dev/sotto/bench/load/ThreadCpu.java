package dev.sotto.bench.load;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.function.Predicate;

/** CPU time of some of this JVM's threads, chosen by name. */
final class ThreadCpu {
  private ThreadCpu() {}

  /**
   * User plus system CPU nanoseconds so far of the live threads whose name {@code chosen} accepts
   * (threads that have ended are not counted), or 0 where the JVM does not measure thread CPU.
   */
  static long nanosOf(Predicate<String> chosen) {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    if (!mx.isThreadCpuTimeSupported()) {
      return 0;
    }
    long sum = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (chosen.test(t.getName())) {
        long ns = mx.getThreadCpuTime(t.getId());
        if (ns > 0) {
          sum += ns;
        }
      }
    }
    return sum;
  }
}
