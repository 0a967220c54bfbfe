package dev.sotto.client.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/** A flat JSON object written on one line, for {@code receive --json}. */
final class Json {
  private final Map<String, Object> fields = new LinkedHashMap<>();

  static Json of(String type) {
    return new Json().put("type", type);
  }

  Json put(String name, Object value) {
    fields.put(name, value);
    return this;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    boolean first = true;
    for (Map.Entry<String, Object> e : fields.entrySet()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      quote(sb, e.getKey());
      sb.append(':');
      Object v = e.getValue();
      if (v instanceof Number || v instanceof Boolean) {
        sb.append(v);
      } else if (v == null) {
        sb.append("null");
      } else if (v instanceof Json j) {
        sb.append(j);
      } else {
        quote(sb, v.toString());
      }
    }
    return sb.append('}').toString();
  }

  static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
