package dev.sotto.bench.abuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LogSummaryTest {

  @Test
  void of_countsWarningsByEventAndDropsIds() {
    List<String> log =
        List.of(
            "2026-12-07T12:17:34.495Z INFO  MasterKey event=master-key outcome=created",
            "2026-12-07T12:18:00.000Z WARN  Connection event=slow-reader conn=12 user=deaf-3"
                + " remote=127.2.0.9:4000 queued=8000000 outcome=closed",
            "2026-12-07T12:18:01.000Z WARN  Connection event=slow-reader conn=13 user=x"
                + " remote=127.2.0.10:4001 queued=10 outcome=closed",
            "2026-12-07T12:18:02.000Z ERROR Connection event=request kind=LOGIN conn=1 user=-"
                + " remote=r outcome=internal-error",
            "java.lang.IllegalStateException: boom",
            "\tat dev.sotto.server.Foo.bar(Foo.java:1)",
            "\tat dev.sotto.server.Foo.baz(Foo.java:2)",
            "2026-12-07T12:18:03.000Z WARN  Netty something without keys");

    LogSummary s = LogSummary.of(log);

    assertThat(s.warnings())
        .containsEntry("WARN Connection event=slow-reader outcome=closed", 2)
        .containsEntry("ERROR Connection event=request kind=LOGIN outcome=internal-error", 1)
        .containsEntry("WARN Netty something without keys", 1)
        .hasSize(3);
    assertThat(s.stackTraceLines()).isEqualTo(2);
    assertThat(s.markdown()).contains("| 2 | WARN Connection event=slow-reader outcome=closed |");
  }

  @Test
  void of_quietLog_saysNone() {
    LogSummary s = LogSummary.of(List.of("2026-12-07T12:17:34.495Z INFO  X event=start"));

    assertThat(s.warnings()).isEmpty();
    assertThat(s.markdown())
        .contains("| 0 | (none) |")
        .contains("Stack-trace lines in the log: 0.");
  }
}
