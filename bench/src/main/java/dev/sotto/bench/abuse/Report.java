package dev.sotto.bench.abuse;

import dev.sotto.bench.load.Chatter;
import dev.sotto.bench.load.ProcStats;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/** The catalogue's results as markdown: the setup, the health of the server, one row per case. */
final class Report {
  private Report() {}

  /** The server's health over the run. */
  record Health(
      int pairs,
      double rate,
      long sent,
      long delivered,
      long chatFailures,
      String firstChatFailure,
      double p50Ms,
      double p99Ms,
      double maxMs,
      double p99LimitMs,
      long rssPeakKib,
      long rssBudgetKib,
      int rssSamples,
      boolean aliveAfter,
      String aliveDetail) {

    boolean latencyOk() {
      return sent > 0 && delivered >= sent * 99 / 100 && p99Ms < p99LimitMs;
    }

    boolean rssOk() {
      return rssSamples > 0 && rssPeakKib <= rssBudgetKib;
    }
  }

  /** The chat's figures and the CPU readings at one moment (a reading is null if unavailable). */
  record Mark(
      Chatter.Figures chat, ProcStats.Sample server, ProcStats.Sample tool, long serverWaitNanos) {}

  /**
   * The legitimate users' latency over one stretch of the run, and the busy share of a core of the
   * server and of this tool (NaN when unknown).
   */
  record Phase(
      String name,
      double seconds,
      long sent,
      long delivered,
      Histogram latencyMicros,
      double serverCores,
      double toolCores,
      double serverWaitPerSecond) {
    /** The stretch between two marks. */
    static Phase between(String name, Mark from, Mark to) {
      Histogram h = to.chat().latencyMicros().copy();
      h.subtract(from.chat().latencyMicros());
      return new Phase(
          name,
          (to.chat().atNanos() - from.chat().atNanos()) / 1e9,
          to.chat().sent() - from.chat().sent(),
          to.chat().delivered() - from.chat().delivered(),
          h,
          cores(from.server(), to.server()),
          cores(from.tool(), to.tool()),
          from.serverWaitNanos() < 0 || to.serverWaitNanos() < 0
              ? Double.NaN
              : (to.serverWaitNanos() - from.serverWaitNanos())
                  / (double) (to.chat().atNanos() - from.chat().atNanos()));
    }

    private static double cores(ProcStats.Sample a, ProcStats.Sample b) {
      return a == null || b == null ? Double.NaN : b.coreFractionSince(a);
    }

    double percentileMs(double p) {
      return latencyMicros.getTotalCount() == 0
          ? Double.NaN
          : latencyMicros.getValueAtPercentile(p) / 1000.0;
    }
  }

  /** One table cell: no line breaks, no column separators. */
  static String cell(String s) {
    return s.replace("\r", " ").replace("\n", " ").replace("|", "\\|");
  }

  static String fraction(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f", v);
  }

  static String ms(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  /** The whole results file. */
  static String markdown(
      String setup, Health h, List<Phase> phases, List<Case.Result> results, LogSummary log) {
    long passed = results.stream().filter(r -> r.outcome().pass()).count();
    StringBuilder b = new StringBuilder();
    b.append("# Bad-input catalogue against a live server\n\n");
    b.append(setup).append("\n\n");
    b.append("## Summary\n\n");
    b.append("| check | target | observed | result |\n|---|---|---|---|\n");
    b.append("| cases | all pass | ")
        .append(passed)
        .append(" pass, ")
        .append(results.size() - passed)
        .append(" fail of ")
        .append(results.size())
        .append(" | ")
        .append(passed == results.size() ? "PASS" : "FAIL")
        .append(" |\n");
    b.append("| legitimate chat p99 (send to receive) | < ")
        .append(ms(h.p99LimitMs()))
        .append(" ms, >= 99% delivered | ")
        .append(
            String.format(
                Locale.ROOT,
                "p50 %s ms, p99 %s ms, max %s ms; %d of %d delivered; %d client-side failures%s",
                ms(h.p50Ms()),
                ms(h.p99Ms()),
                ms(h.maxMs()),
                h.delivered(),
                h.sent(),
                h.chatFailures(),
                h.chatFailures() > 0 ? " (first: " + cell(h.firstChatFailure()) + ")" : ""))
        .append(" | ")
        .append(h.latencyOk() ? "PASS" : "FAIL")
        .append(" |\n");
    b.append("| server RSS (VmRSS) | <= ")
        .append(h.rssBudgetKib() / 1024)
        .append(" MiB | peak ")
        .append(h.rssPeakKib() / 1024)
        .append(" MiB over ")
        .append(h.rssSamples())
        .append(" samples | ")
        .append(h.rssOk() ? "PASS" : "FAIL")
        .append(" |\n");
    b.append("| server alive after the catalogue | up, takes a fresh login | ")
        .append(cell(h.aliveDetail()))
        .append(" | ")
        .append(h.aliveAfter() ? "PASS" : "FAIL")
        .append(" |\n\n");
    b.append("## Legitimate chat by phase\n\n");
    b.append(
        "| phase | s | sent | delivered | p50 ms | p99 ms | max ms | server CPU (cores) | tool"
            + " CPU (cores) | server threads waiting for a CPU (thread-s per s) |\n");
    b.append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (Phase ph : phases) {
      b.append("| ")
          .append(cell(ph.name()))
          .append(" | ")
          .append(String.format(Locale.ROOT, "%.0f", ph.seconds()))
          .append(" | ")
          .append(ph.sent())
          .append(" | ")
          .append(ph.delivered())
          .append(" | ")
          .append(ms(ph.percentileMs(50)))
          .append(" | ")
          .append(ms(ph.percentileMs(99)))
          .append(" | ")
          .append(ms(ph.percentileMs(100)))
          .append(" | ")
          .append(fraction(ph.serverCores()))
          .append(" | ")
          .append(fraction(ph.toolCores()))
          .append(" | ")
          .append(fraction(ph.serverWaitPerSecond()))
          .append(" |\n");
    }
    b.append("\n## Cases\n\n");
    b.append("| # | case | what was sent | expected | observed | ms | result |\n");
    b.append("|---|---|---|---|---|---|---|\n");
    int i = 1;
    for (Case.Result r : results) {
      b.append("| ")
          .append(i++)
          .append(" | ")
          .append(cell(r.of().name()))
          .append(" | ")
          .append(cell(r.of().sent()))
          .append(" | ")
          .append(cell(r.of().expected()))
          .append(" | ")
          .append(cell(r.outcome().observed()))
          .append(" | ")
          .append(r.millis())
          .append(" | ")
          .append(r.outcome().pass() ? "PASS" : "**FAIL**")
          .append(" |\n");
    }
    if (log != null) {
      b.append(
          "\n## Server log\n\nLines at WARN or ERROR during the run, by logger and event:\n\n");
      b.append(log.markdown());
    }
    return b.toString();
  }
}
