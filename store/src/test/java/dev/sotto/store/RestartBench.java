package dev.sotto.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Measures how long a store takes to come back after {@code kill -9}, the way a server restart pays
 * it: a fresh JVM that opens the store. Not a unit test: run by hand (it writes its figures to
 * {@code bench/results/store-restart.md} when given that path).
 *
 * <p>{@code bench DIR MESSAGES REPS OUT CP_A NAME_A [CP_B NAME_B]}: a child JVM writes {@code
 * MESSAGES} messages' worth of mailbox records (a 600-byte entry and an index entry per message,
 * four of five deleted again as acks would) with product options (fsync on) and is killed with
 * SIGKILL while it keeps writing; the crash image is then copied {@code REPS} times for each class
 * path and opened by a fresh child JVM (same flags as the server campaign), once as left and once
 * with a quarter of the MapDB file overwritten (a rebuild). Class path A and B are the store's
 * classes before and after a change (the test classes and dependencies come from this JVM).
 */
public final class RestartBench {
  private static final String[] JVM_FLAGS = {
    "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"
  };

  private RestartBench() {}

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "write" -> write(Path.of(args[1]), Integer.parseInt(args[2]));
      case "open" -> open(Path.of(args[1]));
      case "jvm" -> System.out.println("OPENED main=" + uptimeMs());
      case "bench" -> bench(args);
      case "walk" -> walk(Path.of(args[1]), Integer.parseInt(args[2]));
      default -> throw new IllegalArgumentException(args[0]);
    }
  }

  private static long uptimeMs() {
    return ManagementFactory.getRuntimeMXBean().getUptime();
  }

  /** Child: writes until killed; prints DONE once {@code messages} messages are acknowledged. */
  private static void write(Path dir, int messages) throws Exception {
    JournaledStore store = JournaledStore.open(dir, StoreOptions.defaults());
    SplittableRandom random = new SplittableRandom(42);
    Semaphore inFlight = new Semaphore(64);
    long acked = 0;
    List<CompletableFuture<Void>> window = new ArrayList<>();
    for (long id = 0; ; id++) {
      byte[] value = new byte[600];
      random.nextBytes(value);
      Batch b =
          new Batch()
              .put("mail", key(id), value)
              .put("mail.idx", key(id), key(id % 4))
              .put("seen", key(id % 4), key(id));
      if (id >= 50 && random.nextInt(5) != 0) {
        long old = id - 50;
        b.delete("mail", key(old)).delete("mail.idx", key(old));
      }
      inFlight.acquire();
      window.add(store.write(b).whenComplete((v, e) -> inFlight.release()));
      if (window.size() >= 256) {
        for (CompletableFuture<Void> f : window) {
          f.join();
        }
        acked += window.size();
        window.clear();
        if (acked >= messages && acked - 256 < messages) {
          System.out.println("DONE " + acked);
          System.out.flush();
        }
      }
    }
  }

  private static byte[] key(long id) {
    return String.format(Locale.ROOT, "u%d/%012d", id % 4, id).getBytes(StandardCharsets.US_ASCII);
  }

  /** Child: opens the store and reports; exits without closing (the image stays as it was). */
  private static void open(Path dir) {
    long main = uptimeMs();
    JournaledStore store = JournaledStore.open(dir, StoreOptions.defaults());
    RecoveryReport r = store.recovery();
    System.out.println(
        "OPENED main="
            + main
            + " open="
            + r.openTime().toMillis()
            + " rebuilt="
            + r.rebuilt()
            + " replayed="
            + r.replayedRecords()
            + " uptime="
            + uptimeMs()
            + " "
            + r);
    System.out.flush();
    Runtime.getRuntime().halt(0);
  }

  private record Run(long wallMs, String line) {}

  private static Run spawn(String cp, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Collections.addAll(cmd, JVM_FLAGS);
    cmd.add("-cp");
    cmd.add(cp);
    cmd.add(RestartBench.class.getName());
    Collections.addAll(cmd, args);
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String found = null;
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        if (line.startsWith("OPENED") || line.startsWith("DONE")) {
          found = line;
          break;
        }
      }
    }
    long wall = (System.nanoTime() - t0) / 1_000_000;
    if (found != null && found.startsWith("DONE")) {
      Thread.sleep(300 + new SplittableRandom().nextInt(700));
      p.destroyForcibly(); // SIGKILL on Linux
    }
    p.waitFor(60, TimeUnit.SECONDS);
    if (found == null) {
      throw new IllegalStateException("child printed nothing: " + cmd);
    }
    return new Run(wall, found);
  }

  /**
   * {@code walk DIR ENTRIES}: the cost of the digest walk after a crash grows with MapDB's
   * committed state: writes {@code ENTRIES} live 200-byte entries, closes cleanly (all in MapDB),
   * writes one more batch, stops as a crash would, and opens the store in a fresh JVM.
   */
  private static void walk(Path dir, int entries) throws Exception {
    StoreOptions fast = StoreOptions.builder().fsyncDisabledForTestsOnly(true).build();
    SplittableRandom random = new SplittableRandom(1);
    try (JournaledStore store = JournaledStore.open(dir, fast)) {
      for (int i = 0; i < entries; i += 1000) {
        Batch b = new Batch();
        for (int j = i; j < Math.min(entries, i + 1000); j++) {
          byte[] v = new byte[200];
          random.nextBytes(v);
          b.put("mail", key(j), v);
        }
        store.write(b).join();
      }
    }
    JournaledStore store = JournaledStore.open(dir, fast);
    store.write(new Batch().put("mail", key(-1), new byte[10])).join();
    store.crashForTesting();
    for (int rep = 0; rep < 2; rep++) {
      Path copy = dir.resolveSibling(dir.getFileName() + "-copy" + rep);
      copyTree(dir, copy);
      Run r = spawn(System.getProperty("java.class.path"), "open", copy.toString());
      System.out.println(
          "walk of " + entries + " entries: wall " + r.wallMs() + " ms; " + r.line());
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(f) && !f.getFileName().toString().equals("LOCK")) {
          Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private static void damage(Path dir) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve("state.db").toFile(), "rw")) {
      long len = f.length();
      byte[] junk = new byte[(int) Math.min(len / 4, 1 << 24)];
      new SplittableRandom(7).nextBytes(junk);
      f.seek(len / 2);
      f.write(junk);
    }
  }

  private static void bench(String[] args) throws Exception {
    Path work = Path.of(args[1]);
    int messages = Integer.parseInt(args[2]);
    int reps = Integer.parseInt(args[3]);
    Path out = Path.of(args[4]);
    String common = System.getProperty("java.class.path");
    List<String[]> variants = new ArrayList<>();
    for (int i = 5; i + 1 < args.length; i += 2) {
      variants.add(new String[] {args[i] + java.io.File.pathSeparator + common, args[i + 1]});
    }
    Path image = work.resolve("image");
    Run w = spawn(variants.get(0)[0], "write", image.toString(), Integer.toString(messages));
    long journal = Files.size(image.resolve(JournaledStore.JOURNAL));
    long state = Files.size(image.resolve(JournaledStore.STATE));
    StringBuilder report = new StringBuilder();
    report.append(
        String.format(
            Locale.ROOT,
            "crash image: %s acknowledged, journal %d bytes, state.db %d bytes%n",
            w.line(),
            journal,
            state));
    Run jvm = spawn(common, "jvm");
    report.append("bare JVM to main: ").append(jvm.line()).append(", wall ").append(jvm.wallMs());
    report.append(" ms\n");
    int n = 0;
    for (int rep = 0; rep < reps; rep++) {
      for (boolean damaged : new boolean[] {false, true}) {
        for (String[] v : variants) {
          Path copy = work.resolve("run-" + n++);
          copyTree(image, copy);
          if (damaged) {
            damage(copy);
          }
          Run r = spawn(v[0], "open", copy.toString());
          report.append(
              String.format(
                  Locale.ROOT,
                  "%s %s rep %d: wall %d ms; %s%n",
                  v[1],
                  damaged ? "damaged" : "as-left",
                  rep,
                  r.wallMs(),
                  r.line()));
          System.out.print(report.substring(report.lastIndexOf("\n", report.length() - 2) + 1));
        }
      }
    }
    Files.writeString(out, report.toString());
    System.out.println(report);
  }
}
