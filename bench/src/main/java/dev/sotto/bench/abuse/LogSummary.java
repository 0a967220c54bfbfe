package dev.sotto.bench.abuse;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the server logged at WARN and ERROR during a run, counted by logger, event, outcome and
 * reason (ids, users and addresses left out), and how many stack-trace lines it printed. Reads the
 * server's log format: {@code TIME LEVEL Logger key=value ...}.
 */
record LogSummary(Map<String, Integer> warnings, int stackTraceLines) {
  private static final Pattern LINE = Pattern.compile("^\\S+ (WARN|ERROR)\\s+(\\S+)\\s+(.*)$");
  private static final Pattern KEY = Pattern.compile("\\b(event|outcome|reason|kind)=(\\S+)");
  private static final Pattern FRAME = Pattern.compile("^\\s+at \\S");

  /** Counts the WARN/ERROR lines and stack-trace lines of {@code lines}. */
  static LogSummary of(List<String> lines) {
    Map<String, Integer> counts = new TreeMap<>();
    int frames = 0;
    for (String line : lines) {
      if (FRAME.matcher(line).find()) {
        frames++;
        continue;
      }
      Matcher m = LINE.matcher(line);
      if (!m.matches()) {
        continue;
      }
      StringBuilder key = new StringBuilder(m.group(1)).append(' ').append(m.group(2));
      Matcher k = KEY.matcher(m.group(3));
      boolean any = false;
      while (k.find()) {
        key.append(' ').append(k.group(1)).append('=').append(k.group(2));
        any = true;
      }
      if (!any) {
        String text = m.group(3);
        key.append(' ').append(text, 0, Math.min(60, text.length()));
      }
      counts.merge(key.toString(), 1, Integer::sum);
    }
    return new LogSummary(Map.copyOf(counts), frames);
  }

  /** As markdown: a table of counts and the stack-trace count. */
  String markdown() {
    StringBuilder b = new StringBuilder("| count | level, logger, event |\n|---|---|\n");
    warnings.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .forEach(
            e ->
                b.append("| ")
                    .append(e.getValue())
                    .append(" | ")
                    .append(Report.cell(e.getKey()))
                    .append(" |\n"));
    if (warnings.isEmpty()) {
      b.append("| 0 | (none) |\n");
    }
    b.append("\nStack-trace lines in the log: ").append(stackTraceLines).append(".\n");
    return b.toString();
  }
}
