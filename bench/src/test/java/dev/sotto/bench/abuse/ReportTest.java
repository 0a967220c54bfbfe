package dev.sotto.bench.abuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ReportTest {

  private static Report.Health health(double p99, long rssKib) {
    return new Report.Health(
        3, 30, 1000, 1000, 0, "", 5, p99, 80, 50, rssKib, 896 * 1024, 100, true, "up");
  }

  private static Case.Result result(String name, boolean pass, String observed) {
    Case c = new Case(name, "sent | bytes", "expected", false, () -> null);
    return new Case.Result(c, new Case.Outcome(observed, pass), 12);
  }

  @Test
  void markdown_oneRowPerCase_countsAndEscapes() {
    Histogram h = new Histogram(3);
    h.recordValue(4000);
    List<Report.Phase> phases =
        List.of(new Report.Phase("baseline", 15, 450, 450, h, 0.25, Double.NaN, 1.5));

    String md =
        Report.markdown(
            "setup",
            health(20, 300 * 1024),
            phases,
            List.of(result("a", true, "fine"), result("b", false, "line\nbreak")),
            null);

    assertThat(md)
        .contains("| cases | all pass | 1 pass, 1 fail of 2 | FAIL |")
        .contains("| 1 | a | sent \\| bytes | expected | fine | 12 | PASS |")
        .contains("| 2 | b | sent \\| bytes | expected | line break | 12 | **FAIL** |")
        .contains("| baseline | 15 | 450 | 450 | 4.0 | 4.0 | 4.0 | 0.25 | n/a | 1.50 |")
        .contains("| server RSS (VmRSS) | <= 896 MiB | peak 300 MiB over 100 samples | PASS |")
        .doesNotContain("## Server log");
  }

  @Test
  void health_p99AtOrOverTheLimit_fails() {
    assertThat(health(49.9, 1).latencyOk()).isTrue();
    assertThat(health(50, 1).latencyOk()).isFalse();
    assertThat(health(10, 897 * 1024).rssOk()).isFalse();
  }

  @Test
  void health_undelivered_fails() {
    Report.Health h =
        new Report.Health(3, 30, 1000, 989, 0, "", 5, 10, 80, 50, 1, 896 * 1024, 100, true, "up");

    assertThat(h.latencyOk()).isFalse();
  }
}
