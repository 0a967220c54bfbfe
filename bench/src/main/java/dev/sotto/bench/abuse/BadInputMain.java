package dev.sotto.bench.abuse;

import dev.sotto.bench.load.Chatter;
import dev.sotto.bench.load.ProcStats;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the bad-input catalogue ({@link Catalogue}) against a live server while a few legitimate
 * users keep chatting ({@link Chatter}), samples the server's RSS, checks the server still takes a
 * login afterwards, and writes one markdown table. {@code bench/bad-input.sh} starts the server and
 * runs this.
 */
@Command(
    name = "sotto-bad-input",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Sends malformed and abusive input to a live Sotto server and checks its answers.")
public final class BadInputMain implements Callable<Integer> {
  @Option(names = "--host", defaultValue = "127.0.0.1")
  String host;

  @Option(names = "--port", defaultValue = "7460")
  int port;

  @Option(names = "--server-pid", required = true, description = "for RSS and liveness")
  String serverPid;

  @Option(
      names = "--server-heap",
      defaultValue = "512m",
      description = "the server's -Xmx, for the report")
  String serverHeap;

  @Option(
      names = "--rss-budget-mib",
      defaultValue = "896",
      description = "server RSS must stay under")
  long rssBudgetMib;

  @Option(names = "--pairs", defaultValue = "3", description = "legitimate user pairs chatting")
  int pairs;

  @Option(names = "--rate", defaultValue = "30", description = "their messages per second in total")
  double rate;

  @Option(names = "--p99-limit-ms", defaultValue = "50")
  double p99LimitMs;

  @Option(names = "--baseline", defaultValue = "15", description = "seconds of chat alone first")
  int baselineSeconds;

  @Option(names = "--half-open", defaultValue = "5000", description = "half-open TCP connections")
  int halfOpen;

  @Option(names = "--threads", defaultValue = "4", description = "cases run side by side")
  int threads;

  @Option(names = "--only", description = "run only cases whose name contains this")
  String only;

  @Option(names = "--password", defaultValue = "bench-password-0")
  String password;

  @Option(names = "--server-log", description = "the server's log, summarised in the report")
  Path serverLog;

  @Option(names = "--results", defaultValue = "bench/results/bad-input.md")
  Path resultsFile;

  private final List<Report.Phase> phases = new ArrayList<>();

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new BadInputMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Vertx vertx =
        Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setPreferNativeTransport(false));
    AtomicLong rssPeak = new AtomicLong();
    AtomicInteger rssSamples = new AtomicInteger();
    Thread sampler =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                try {
                  rssPeak.accumulateAndGet(ProcStats.sample(serverPid).rssKib(), Math::max);
                  rssSamples.incrementAndGet();
                  Thread.sleep(200);
                } catch (InterruptedException e) {
                  return;
                } catch (Exception e) {
                  // the process is gone: the liveness check reports it
                  return;
                }
              }
            },
            "rss-sampler");
    sampler.setDaemon(true);
    sampler.start();
    Chatter chat =
        new Chatter(vertx, host, port, "127.3.0.1", pairs, rate, "chat", password.toCharArray());
    try {
      chat.start();
      System.out.printf(
          "chat: %d pairs at %.0f msg/s; warming up 10 s, then %d s of chat alone%n",
          pairs, rate, baselineSeconds);
      Thread.sleep(10_000);
      Report.Mark start = mark(chat);
      Thread.sleep(baselineSeconds * 1000L);
      Report.Mark before = mark(chat);
      phases.add(Report.Phase.between("chat alone, before any case (baseline)", start, before));
      long t0 = System.nanoTime();
      List<Case.Result> results = runCases(chat);
      Thread.sleep(2000);
      Report.Mark after = mark(chat);
      double minutes = (System.nanoTime() - t0) / 60e9;
      sampler.interrupt();

      boolean alive = Files.exists(Path.of("/proc", serverPid));
      String aliveDetail;
      try {
        long l0 = System.nanoTime();
        chat.probeLogin("chat0");
        chat.probeLogin("fresh-after-catalogue");
        aliveDetail =
            String.format(
                Locale.ROOT,
                "process up; Login of an existing user and Register of a new one succeeded (%.0f ms,"
                    + " both with Argon2id key derivation on the client)",
                (System.nanoTime() - l0) / 1e6);
      } catch (Exception e) {
        alive = false;
        aliveDetail = "login after the catalogue failed: " + e;
      }

      Report.Phase all = Report.Phase.between("all cases", before, after);
      phases.add(all);
      Histogram h = all.latencyMicros();
      Report.Health health =
          new Report.Health(
              pairs,
              rate,
              all.sent(),
              all.delivered(),
              after.chat().failures() - before.chat().failures(),
              after.chat().firstFailure(),
              h.getValueAtPercentile(50) / 1000.0,
              h.getValueAtPercentile(99) / 1000.0,
              h.getMaxValue() / 1000.0,
              p99LimitMs,
              rssPeak.get(),
              rssBudgetMib * 1024,
              rssSamples.get(),
              alive,
              aliveDetail);
      LogSummary log =
          serverLog == null
              ? null
              : LogSummary.of(Files.readAllLines(serverLog, StandardCharsets.ISO_8859_1));
      String md = Report.markdown(setup(minutes), health, phases, results, log);
      Files.createDirectories(resultsFile.toAbsolutePath().getParent());
      Files.writeString(resultsFile, md, StandardCharsets.UTF_8);
      long passed = results.stream().filter(r -> r.outcome().pass()).count();
      System.out.printf(
          "BAD-INPUT cases=%d pass=%d fail=%d chat_p99_ms=%.1f delivered=%d/%d rss_peak_mib=%d"
              + " alive=%s -> %s%n",
          results.size(),
          passed,
          results.size() - passed,
          health.p99Ms(),
          health.delivered(),
          health.sent(),
          health.rssPeakKib() / 1024,
          alive,
          resultsFile);
      for (Case.Result r : results) {
        if (!r.outcome().pass()) {
          System.out.println("FAIL " + r.of().name() + ": " + r.outcome().observed());
        }
      }
      boolean ok =
          passed == results.size() && health.latencyOk() && health.rssOk() && health.aliveAfter();
      return ok ? 0 : 1;
    } finally {
      sampler.interrupt();
      try {
        chat.stop();
      } catch (Exception e) {
        // the server may be gone; the report says so
      }
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private List<Case.Result> runCases(Chatter chat) throws Exception {
    Catalogue catalogue = new Catalogue(new Probe(host, port), halfOpen);
    List<Case> cases = new ArrayList<>();
    for (Case c : catalogue.cases()) {
      if (only == null || c.name().contains(only)) {
        cases.add(c);
      }
    }
    List<Future<Case.Result>> futures = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (Case c : cases) {
        futures.add(c.alone() ? null : pool.submit(() -> logged(c.run())));
      }
      Report.Mark t0 = mark(chat);
      List<Case.Result> results = new ArrayList<>();
      for (int i = 0; i < cases.size(); i++) {
        if (futures.get(i) != null) {
          results.add(futures.get(i).get());
        } else {
          results.add(null);
        }
      }
      Report.Mark t1 = mark(chat);
      if (cases.stream().anyMatch(c -> !c.alone())) {
        phases.add(Report.Phase.between("the light cases, " + threads + " side by side", t0, t1));
      }
      // The heavy cases run after the others, one at a time.
      for (int i = 0; i < cases.size(); i++) {
        if (results.get(i) == null) {
          results.set(i, logged(cases.get(i).run()));
          Report.Mark t2 = mark(chat);
          phases.add(Report.Phase.between(cases.get(i).name() + " (alone)", t1, t2));
          t1 = t2;
        }
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  private Report.Mark mark(Chatter chat) throws Exception {
    return new Report.Mark(
        chat.snapshot(), sample(serverPid), sample("self"), RunQueue.waitNanos(serverPid));
  }

  private static ProcStats.Sample sample(String pid) {
    try {
      return ProcStats.sample(pid);
    } catch (Exception e) {
      return null;
    }
  }

  private static Case.Result logged(Case.Result r) {
    System.out.printf(
        "%-4s %-50s %6d ms  %s%n",
        r.outcome().pass() ? "PASS" : "FAIL", r.of().name(), r.millis(), r.outcome().observed());
    return r;
  }

  private String setup(double minutes) {
    return String.format(
        Locale.ROOT,
        "Run %s by `bench/bad-input.sh` (`dev.sotto.bench.abuse.BadInputMain`) against a live"
            + " `sotto-server` started for the run (fresh data directory, port %d, -Xmx%s, pinned"
            + " to CPU 1; the tool on CPU 0; a 2-core machine shared with other engineers' builds)."
            + " Each case opens its own connections from its own 127.2.x.y source address, so the"
            + " server's per-address throttles of one case never touch another; %d cases ran side"
            + " by side, the ones marked heavy in the code (concurrent registrations, churn, slow"
            + " reader, half-open connections) alone afterwards. The catalogue took %.1f min."
            + " Throughout it, %d pairs of legitimate users (`dev.sotto.bench.load.Chatter`:"
            + " `SottoConnection`s logged in with Argon2id-derived keys, from 127.3.0.1) exchanged"
            + " %.0f messages/s of 217 bytes in total, open-loop paced; latency is from each"
            + " message's due time to its arrival at the recipient (10 s of warm-up not counted; then"
            + " a baseline of chat alone, to tell what the shared machine does from what the"
            + " cases do)."
            + " The server's RSS was read from /proc/<pid>/status every 200 ms; the budget is the"
            + " heap limit plus room for metaspace, code cache, thread stacks and Netty's direct"
            + " buffers. Per phase the table below also gives the server's and the tool's CPU"
            + " (utime+stime from /proc/<pid>/stat, in cores) and how long the server's threads"
            + " were runnable but waiting for a CPU (/proc/<pid>/task/*/schedstat summed over"
            + " threads, per second of wall time): other processes share the server's core, and"
            + " this column tells CPU starvation from the server's own slowness. Expected reactions are PROTOCOL.md's (sections 3-9) and the server's"
            + " configured limits (NetConfig, Throttles, PreKeyDirectory and DeliveryService"
            + " defaults).",
        Instant.now().toString().substring(0, 16) + "Z",
        port,
        serverHeap,
        threads,
        minutes,
        pairs,
        rate);
  }
}
