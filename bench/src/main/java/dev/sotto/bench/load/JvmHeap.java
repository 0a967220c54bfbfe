package dev.sotto.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The live heap of a JVM server, through {@code jcmd}: a full GC ({@code GC.run}), then the used
 * bytes of the heap's generations ({@code GC.heap_info}). RSS alone overstates what connections
 * cost a JVM, since a heap that grew is not returned to the system.
 */
final class JvmHeap {
  private static final Pattern USED =
      Pattern.compile(
          "^\\s*(?:def new generation|tenured generation|garbage-first heap"
              + "|PSYoungGen|ParOldGen|ZHeap|Shenandoah)\\b.*?used (\\d+)K",
          Pattern.MULTILINE);

  private JvmHeap() {}

  /**
   * The KiB in use in the heap's generations from {@code jcmd <pid> GC.heap_info} output (Metaspace
   * and class space are not heap and are not counted).
   *
   * @throws IllegalArgumentException if no generation line is found
   */
  static long parseUsedKib(String heapInfo) {
    Matcher m = USED.matcher(heapInfo);
    long sum = 0;
    boolean any = false;
    while (m.find()) {
      sum += Long.parseLong(m.group(1));
      any = true;
    }
    if (!any) {
      throw new IllegalArgumentException("no heap generation in GC.heap_info output");
    }
    return sum;
  }

  /** Collects garbage in {@code pid} and returns its live heap in KiB, or -1 if jcmd failed. */
  static long liveKibAfterGc(String pid) {
    try {
      jcmd(pid, "GC.run");
      return parseUsedKib(jcmd(pid, "GC.heap_info"));
    } catch (IOException | RuntimeException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static String jcmd(String pid, String command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("jcmd", pid, command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("jcmd " + command + " failed");
    }
    return new String(out, StandardCharsets.UTF_8);
  }
}
