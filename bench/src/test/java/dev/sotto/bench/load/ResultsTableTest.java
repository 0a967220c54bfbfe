package dev.sotto.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsTableTest {
  @TempDir Path dir;

  private static LinkedHashMap<String, String> row(String target, String p99) {
    LinkedHashMap<String, String> r = new LinkedHashMap<>();
    r.put("target", target);
    r.put("p99_ms", p99);
    r.put("note", "a|b c");
    return r;
  }

  @Test
  void append_writesHeaderOnceThenOneRowPerRun() throws Exception {
    Path f = dir.resolve("sub/w1.md");
    ResultsTable.append(f, "W1 relay", "setup text", row("sotto", "1.50"));
    ResultsTable.append(f, "W1 relay", "setup text", row("relay", "0.90"));
    List<String> lines = Files.readAllLines(f);
    assertThat(lines)
        .containsExactly(
            "# W1 relay",
            "",
            "setup text",
            "",
            "| target | p99_ms | note |",
            "|---|---|---|",
            "| sotto | 1.50 | a/b c |",
            "| relay | 0.90 | a/b c |");
  }

  @Test
  void append_startsANewTableWhenTheColumnsChange() throws Exception {
    Path f = dir.resolve("w3.md");
    ResultsTable.append(f, "W3", "setup", row("sotto", "1.50"));
    LinkedHashMap<String, String> wider = row("xmpp", "4.00");
    wider.put("extra", "7");
    ResultsTable.append(f, "W3", "setup", wider);
    ResultsTable.append(f, "W3", "setup", wider);
    assertThat(Files.readAllLines(f))
        .containsExactly(
            "# W3",
            "",
            "setup",
            "",
            "| target | p99_ms | note |",
            "|---|---|---|",
            "| sotto | 1.50 | a/b c |",
            "",
            "Columns changed:",
            "",
            "| target | p99_ms | note | extra |",
            "|---|---|---|---|",
            "| xmpp | 4.00 | a/b c | 7 |",
            "| xmpp | 4.00 | a/b c | 7 |");
  }

  @Test
  void summary_isOneLineOfKeyValuePairs() {
    assertThat(ResultsTable.summary(row("xmpp", "4.00")))
        .isEqualTo("target=xmpp p99_ms=4.00 note=a|b_c");
  }

  @Test
  void num_formatsAndMarksNaN() {
    assertThat(ResultsTable.num(1234.5678, 1)).isEqualTo("1234.6");
    assertThat(ResultsTable.num(Double.NaN, 1)).isEqualTo("n/a");
  }
}
