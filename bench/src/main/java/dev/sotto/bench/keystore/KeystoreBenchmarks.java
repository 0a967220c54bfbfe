package dev.sotto.bench.keystore;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.util.Statistics;

/**
 * Runs every keystore benchmark in one JMH run and writes {@code bench/results/keystore.md}: each
 * operation beside the primitives it is made of, as ratios from the same run, with the targets
 * (set-up within 1.2x the sum of its primitives; steady-state encrypt+decrypt of 1 KiB under 20 us
 * without the commit).
 *
 * <p>Run: {@code scripts/bench-keystore.sh} (builds, then runs this class from the repository
 * root). Extra arguments are JMH options and override the classes' own (e.g. {@code -f 2}). The
 * part of the file below the line {@value #NOTES_MARKER} is kept across runs.
 */
public final class KeystoreBenchmarks {
  static final String NOTES_MARKER = "<!-- notes below are kept when the figures are rewritten -->";

  private KeystoreBenchmarks() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(System.getProperty("sotto.bench.results", "bench/results"), "keystore.md");
    String loadBefore = loadAverage();
    Instant start = Instant.now();
    Path cpuDir = Files.createTempDirectory("sotto-bench-cpu");
    Options options =
        new OptionsBuilder()
            .parent(new CommandLineOptions(args))
            .jvmArgsAppend("-D" + CpuClock.DIR_PROPERTY + "=" + cpuDir)
            .include(PrimitivesBenchmark.class.getName() + "\\.")
            .include(SessionBenchmark.class.getName() + "\\.")
            .include(CommitBenchmark.class.getName() + "\\.")
            .include(UnlockBenchmark.class.getName() + "\\.")
            .build();
    Collection<RunResult> results = new Runner(options).run();
    Path cpuFile = cpuDir.resolve("cpu.tsv");
    List<String> cpuLines =
        Files.exists(cpuFile) ? Files.readAllLines(cpuFile, StandardCharsets.UTF_8) : List.of();
    Files.deleteIfExists(cpuFile);
    Files.deleteIfExists(cpuDir);
    Scores s = new Scores(results, cpuLines);
    String report =
        report(s, start, Instant.now(), loadBefore, loadAverage(), String.join(" ", args));
    String notes = "";
    if (Files.exists(out)) {
      String old = Files.readString(out, StandardCharsets.UTF_8);
      int at = old.indexOf(NOTES_MARKER);
      if (at >= 0) {
        notes = old.substring(at + NOTES_MARKER.length());
      }
    }
    Files.createDirectories(out.getParent());
    Files.writeString(out, report + NOTES_MARKER + notes, StandardCharsets.UTF_8);
    System.out.println(report);
    System.out.println("written to " + out.toAbsolutePath());
  }

  /**
   * Median and p90 of the per-operation samples, by benchmark method name and parameters ("encrypt
   * size=1024").
   */
  static final class Scores {
    private final Map<String, double[]> byKey = new HashMap<>();
    private final Map<String, String> units = new HashMap<>();

    private final Map<String, long[]> cpu = new HashMap<>();

    Scores(Collection<RunResult> results, List<String> cpuLines) {
      for (String line : cpuLines) {
        String[] f = line.split("\t");
        long[] t = cpu.computeIfAbsent(f[0], k -> new long[2]);
        t[0] += Long.parseLong(f[1]);
        t[1] += Long.parseLong(f[2]);
      }
      for (RunResult r : results) {
        String name = r.getParams().getBenchmark();
        name = name.substring(name.lastIndexOf('.') + 1);
        List<String> params = new ArrayList<>();
        for (String p : r.getParams().getParamsKeys()) {
          params.add(p + "=" + r.getParams().getParam(p));
        }
        String key = params.isEmpty() ? name : name + " " + String.join(" ", params);
        Statistics st = r.getPrimaryResult().getStatistics();
        byKey.put(
            key, new double[] {st.getPercentile(50), st.getPercentile(90), (double) st.getN()});
        units.put(key, r.getPrimaryResult().getScoreUnit());
      }
    }

    /** Thread CPU time per operation, in the benchmark's unit; NaN if not measured. */
    double get(String key) {
      long[] t = cpu.get(key);
      String unit = units.get(key);
      if (t == null || t[1] == 0 || unit == null) {
        return Double.NaN;
      }
      double perOpNanos = (double) t[0] / t[1];
      return unit.startsWith("ms") ? perOpNanos / 1e6 : perOpNanos / 1e3;
    }

    /** Wall-clock median, in the benchmark's unit. */
    double wall(String key) {
      double[] v = byKey.get(key);
      return v == null ? Double.NaN : v[0];
    }

    String unit(String key) {
      String u = units.get(key);
      return u == null ? "" : u.replace("/op", "");
    }

    String cell(String key) {
      double[] v = byKey.get(key);
      if (v == null) {
        return "not run | |";
      }
      return String.format(
          Locale.ROOT, "%s %s | %s (p90 %s)", num(get(key)), unit(key), num(v[0]), num(v[1]));
    }
  }

  static String num(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    if (Math.abs(v) >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (Math.abs(v) >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }

  static String ratio(double a, double b) {
    return String.format(Locale.ROOT, "%.2fx", a / b);
  }

  static String report(
      Scores s, Instant start, Instant end, String loadBefore, String loadAfter, String args) {
    StringBuilder b = new StringBuilder();
    b.append("# Keystore benchmarks: operations beside their primitives\n\n");
    b.append(
        String.format(
            Locale.ROOT,
            "Generated by `scripts/bench-keystore.sh`%s (`dev.sotto.bench.keystore.KeystoreBenchmarks`),"
                + " JMH 1.37, %s %s, %d CPUs visible; run %s to %s UTC; load average %s before,"
                + " %s after. One run: every ratio below compares figures of the same run.\n\n"
                + "The figure used for sums, ratios and targets is the benchmark thread's CPU"
                + " time per operation over the measurement iterations (`CpuClock`): on this"
                + " shared, oversubscribed machine wall time includes the time a thread waits for"
                + " a core, which grows with an operation's length and with the load, so"
                + " wall-time ratios of a millisecond operation to microsecond primitives measure"
                + " the load. Wall-clock medians and p90 of per-operation samples (JMH sample"
                + " mode) are shown beside them.\n\n",
            args.isBlank() ? "" : " " + args,
            System.getProperty("java.vm.name"),
            System.getProperty("java.version"),
            Runtime.getRuntime().availableProcessors(),
            start.truncatedTo(ChronoUnit.SECONDS),
            end.truncatedTo(ChronoUnit.SECONDS).toString().substring(11),
            loadBefore,
            loadAfter));

    // set-up
    double edS = s.get("ed25519VerifyShort");
    double edK = s.get("ed25519VerifyKemKey");
    double keygen = s.get("x25519Keygen");
    double agree = s.get("x25519Agree");
    double hkdfP = s.get("hkdfPqxdh");
    double hkdfR = s.get("hkdfRatchet");
    double hkdfM = s.get("hkdfMessage");
    double hmac = s.get("hmacSha256");
    double sha = s.get("sha256ReplayId");
    double sumSetUp =
        2 * edS
            + edK
            + s.get("mlKemCheckKey")
            + s.get("mlKemEncaps")
            + s.get("mlKemDecaps")
            + 3 * keygen
            + 11 * agree
            + 2 * hkdfP
            + 3 * hkdfR
            + 2 * hkdfM
            + 4 * hmac
            + 2 * sha
            + s.get("aesGcmEncrypt paddedSize=160")
            + s.get("aesGcmDecrypt paddedSize=160");
    String head = "| what | CPU per op | wall median (p90) |\n|---|---|---|\n";
    double setUp = s.get("setUp");
    double setUpComposite = s.get("setUpPrimitives");
    double rt1k = s.get("encryptDecrypt size=1024");
    b.append(
        "## Targets (on CPU time per operation)\n\n| target | measured | met |\n|---|---|---|\n");
    b.append(
        String.format(
            Locale.ROOT,
            "| session set-up within 1.2x the sum of its primitives | %s us / %s us = **%s**"
                + " (vs the composite: %s) | %s |\n",
            num(setUp),
            num(sumSetUp),
            ratio(setUp, sumSetUp),
            ratio(setUp, setUpComposite),
            setUp / sumSetUp <= 1.2 ? "yes" : "**no**"));
    b.append(
        String.format(
            Locale.ROOT,
            "| steady-state encrypt+decrypt of 1 KiB under 20 us, no commit | **%s us** (wall"
                + " median %s us) | %s |\n\n",
            num(rt1k),
            num(s.wall("encryptDecrypt size=1024")),
            rt1k < 20 ? "yes" : "**no**"));

    b.append("## Session set-up (PQXDH initiator + responder, with one-time prekeys)\n\n");
    b.append(head);
    b.append("| `setUp`: process bundle, encrypt 100 B, responder decrypts | ")
        .append(s.cell("setUp"))
        .append(" |\n");
    b.append("| `setUpPrimitives`: the same primitives called in sequence | ")
        .append(s.cell("setUpPrimitives"))
        .append(" |\n");
    b.append(
        String.format(
            Locale.ROOT,
            "| sum of the primitives measured alone (counts below) | %s us | |\n\n",
            num(sumSetUp)));
    b.append(
        "Counts: 3 Ed25519 verifies (2 short messages, 1 over the 1184-byte KEM key), 1 ML-KEM"
            + " key check, 1 encapsulation, 1 decapsulation (expanded key), 3 X25519 keygens, 11"
            + " X25519 agreements, 2 PQXDH HKDFs, 3 KDF_RK HKDFs, 2 message HKDFs, 4 HMACs, 2"
            + " SHA-256 replay ids, AES-GCM encrypt + decrypt of 160 B.\n\n");

    b.append("## Primitives (alone)\n\n").append(head);
    for (String k :
        List.of(
            "x25519Keygen",
            "x25519Agree",
            "ed25519VerifyShort",
            "ed25519VerifyKemKey",
            "mlKemCheckKey",
            "mlKemEncaps",
            "mlKemDecaps",
            "mlKemExpandSeed",
            "hkdfPqxdh",
            "hkdfRatchet",
            "hkdfMessage",
            "hmacSha256",
            "hmacSha256BouncyCastle",
            "sha256ReplayId",
            "aesGcmEncrypt paddedSize=160",
            "aesGcmDecrypt paddedSize=160",
            "aesGcmEncrypt paddedSize=1120",
            "aesGcmDecrypt paddedSize=1120")) {
      b.append("| `").append(k).append("` | ").append(s.cell(k)).append(" |\n");
    }
    b.append(
        "\n(Diagnostics, in no sum: `mlKemExpandSeed` is what the product pays when it expands an"
            + " ML-KEM key from its stored 64-byte seed; `hmacSha256BouncyCastle` is the HMAC the"
            + " keystore used before it moved to the JDK's.)\n\n");

    b.append("## Steady-state messages (same chain, no DH step, no commit)\n\n").append(head);
    for (String[] sz : new String[][] {{"100", "160"}, {"1024", "1120"}}) {
      b.append("| `encrypt` ")
          .append(sz[0])
          .append(" B | ")
          .append(s.cell("encrypt size=" + sz[0]));
      b.append(" |\n| `encryptDecrypt` ").append(sz[0]).append(" B | ");
      b.append(s.cell("encryptDecrypt size=" + sz[0]));
      b.append(" |\n| `encryptDecryptState` (state objects, no store) ").append(sz[0]);
      b.append(" B | ").append(s.cell("encryptDecryptState size=" + sz[0]));
      b.append(" |\n| `roundTripPrimitives` (composite) ").append(sz[0]).append(" B | ");
      b.append(s.cell("roundTripPrimitives paddedSize=" + sz[1])).append(" |\n");
    }
    b.append("\n");
    for (String[] sz : new String[][] {{"100", "160"}, {"1024", "1120"}}) {
      double rt = s.get("encryptDecrypt size=" + sz[0]);
      double sum =
          4 * hmac
              + 2 * hkdfM
              + s.get("aesGcmEncrypt paddedSize=" + sz[1])
              + s.get("aesGcmDecrypt paddedSize=" + sz[1]);
      b.append(
          String.format(
              Locale.ROOT,
              "- %s B: encrypt+decrypt / sum of its primitives alone (4 HMACs, 2 message HKDFs,"
                  + " AES-GCM both ways, %s us) = **%s**; / composite = %s.\n",
              sz[0],
              num(sum),
              ratio(rt, sum),
              ratio(rt, s.get("roundTripPrimitives paddedSize=" + sz[1]))));
    }

    b.append("\n## With the local store's commit (encryptAndCommit + decryptAndCommit)\n\n");
    b.append(
            "CPU is the calling thread's only (sealing, journal batch hand-off); the journal writer's"
                + " work and the fsync wait show in the wall time.\n\n")
        .append(head);
    for (String sz : List.of("100", "1024")) {
      for (String f : List.of("true", "false")) {
        String k = "encryptDecryptCommitted fsync=" + f + " size=" + sz;
        b.append("| ")
            .append(sz)
            .append(" B, ")
            .append(f.equals("true") ? "fsync (product)" : "no fsync")
            .append(" | ")
            .append(s.cell(k))
            .append(" |\n");
      }
    }

    double step = s.get("decryptWithRatchetStep") - s.get("decryptSameChain");
    double stepSum = keygen + 2 * agree + 2 * hkdfR;
    b.append("\n## DH ratchet step\n\n").append(head);
    b.append("| `decryptWithRatchetStep` | ")
        .append(s.cell("decryptWithRatchetStep"))
        .append(" |\n");
    b.append("| `decryptSameChain` | ").append(s.cell("decryptSameChain")).append(" |\n");
    b.append("| `ratchetStepPrimitives` (composite) | ")
        .append(s.cell("ratchetStepPrimitives"))
        .append(" |\n");
    b.append(
        String.format(
            Locale.ROOT,
            "\nThe step (difference of the first two): %s us; its primitives alone (1 keygen + 2"
                + " agreements + 2 KDF_RK): %s us. Ratchet step / its primitives: **%s** (vs the"
                + " composite: %s).\n\n",
            num(step),
            num(stepSum),
            ratio(step, stepSum),
            ratio(step, s.get("ratchetStepPrimitives"))));

    b.append("## Store unlock (Argon2id m=64 MiB, t=3, p=1)\n\n").append(head);
    b.append("| `unlock`: derive keys, open the store (unwrap, identity), close | ")
        .append(s.cell("unlock"))
        .append(" |\n");
    b.append("| `argon2idAlone` | ").append(s.cell("argon2idAlone")).append(" |\n");
    b.append("| `openAlone`: open and close with the key known | ")
        .append(s.cell("openAlone"))
        .append(" |\n\n");
    b.append(
        String.format(
            Locale.ROOT,
            "Unlock / Argon2id alone: **%s** on CPU (%s on wall medians; opening the store also"
                + " runs work on the store's own threads).\n\n",
            ratio(s.get("unlock"), s.get("argon2idAlone")),
            ratio(s.wall("unlock"), s.wall("argon2idAlone"))));
    return b.toString();
  }

  private static String loadAverage() {
    try {
      String l = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).trim();
      String[] f = l.split(" ");
      return f[0] + " / " + f[1] + " / " + f[2];
    } catch (IOException e) {
      double v = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
      return String.format(Locale.ROOT, "%.2f", v);
    }
  }
}
