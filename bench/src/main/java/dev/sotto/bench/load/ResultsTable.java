package dev.sotto.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One run's figures: printed as one summary line ({@code key=value ...}) and appended as a row to a
 * markdown table (the file and its header are made on first use).
 */
final class ResultsTable {
  private ResultsTable() {}

  /** The summary line of {@code row}. */
  static String summary(Map<String, String> row) {
    return row.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue().replace(' ', '_'))
        .collect(Collectors.joining(" "));
  }

  /**
   * Appends {@code row} to the table in {@code file}; writes {@code title}, {@code preamble} and
   * the header first when the file does not exist yet.
   */
  static void append(Path file, String title, String preamble, LinkedHashMap<String, String> row)
      throws IOException {
    StringBuilder b = new StringBuilder();
    String header = "| " + String.join(" | ", row.keySet()) + " |";
    if (!Files.exists(file)) {
      Files.createDirectories(file.toAbsolutePath().getParent());
      b.append("# ").append(title).append("\n\n").append(preamble).append("\n\n");
      b.append(header).append("\n");
      b.append("|").append("---|".repeat(row.size())).append("\n");
    } else if (!header.equals(lastHeader(file))) {
      // The columns changed since the last row: a new table, so that no row is misread.
      b.append("\nColumns changed:\n\n").append(header).append("\n");
      b.append("|").append("---|".repeat(row.size())).append("\n");
    }
    b.append("| ")
        .append(
            row.values().stream().map(v -> v.replace("|", "/")).collect(Collectors.joining(" | ")))
        .append(" |\n");
    Files.writeString(
        file, b, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  /** The header line of the file's last table (the line before its last separator), or null. */
  static String lastHeader(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = lines.size() - 1; i > 0; i--) {
      if (lines.get(i).startsWith("|---")) {
        return lines.get(i - 1);
      }
    }
    return null;
  }

  /** {@code v} with {@code digits} decimals, or "n/a" for NaN. */
  static String num(double v, int digits) {
    return Double.isNaN(v) ? "n/a" : String.format(java.util.Locale.ROOT, "%." + digits + "f", v);
  }
}
