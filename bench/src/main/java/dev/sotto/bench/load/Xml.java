package dev.sotto.bench.load;

/**
 * The little XML the XMPP adapter needs: escaping text and attribute values, and reading one
 * attribute or one child's text out of a complete stanza. Not a general XML parser: it reads only
 * what a server writes (no CDATA, no comments inside stanzas).
 */
public final class Xml {
  private Xml() {}

  /** Escapes {@code &, <, >, ", '} so that {@code s} is safe as text and as an attribute value. */
  public static String escape(String s) {
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String rep =
          switch (c) {
            case '&' -> "&amp;";
            case '<' -> "&lt;";
            case '>' -> "&gt;";
            case '"' -> "&quot;";
            case '\'' -> "&apos;";
            default -> null;
          };
      if (rep != null && b == null) {
        b = new StringBuilder(s.length() + 16).append(s, 0, i);
      }
      if (b != null) {
        if (rep != null) {
          b.append(rep);
        } else {
          b.append(c);
        }
      }
    }
    return b == null ? s : b.toString();
  }

  /**
   * Resolves the five predefined entities and numeric character references.
   *
   * @throws IllegalArgumentException on an unknown or unterminated entity
   */
  public static String unescape(String s) {
    int amp = s.indexOf('&');
    if (amp < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length()).append(s, 0, amp);
    int i = amp;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c != '&') {
        b.append(c);
        i++;
        continue;
      }
      int semi = s.indexOf(';', i);
      if (semi < 0 || semi - i > 10) {
        throw new IllegalArgumentException("unterminated entity at " + i);
      }
      String name = s.substring(i + 1, semi);
      switch (name) {
        case "amp" -> b.append('&');
        case "lt" -> b.append('<');
        case "gt" -> b.append('>');
        case "quot" -> b.append('"');
        case "apos" -> b.append('\'');
        default -> {
          if (name.startsWith("#x") || name.startsWith("#X")) {
            b.appendCodePoint(parseCodePoint(name.substring(2), 16, name));
          } else if (name.startsWith("#")) {
            b.appendCodePoint(parseCodePoint(name.substring(1), 10, name));
          } else {
            throw new IllegalArgumentException("unknown entity &" + name + ";");
          }
        }
      }
      i = semi + 1;
    }
    return b.toString();
  }

  private static int parseCodePoint(String digits, int radix, String name) {
    try {
      int cp = Integer.parseInt(digits, radix);
      if (cp < 0 || cp > Character.MAX_CODE_POINT) {
        throw new IllegalArgumentException("character reference out of range: &" + name + ";");
      }
      return cp;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad character reference &" + name + ";", e);
    }
  }

  /** The element name of the stanza's start tag ({@code "message"}, {@code "stream:features"}). */
  public static String name(String stanza) {
    int lt = stanza.indexOf('<');
    if (lt < 0) {
      throw new IllegalArgumentException("no start tag");
    }
    int end = lt + 1;
    while (end < stanza.length() && " \t\r\n/>".indexOf(stanza.charAt(end)) < 0) {
      end++;
    }
    return stanza.substring(lt + 1, end);
  }

  /**
   * The unescaped value of attribute {@code attr} on the stanza's start tag, or null when absent.
   * Either quote style is accepted.
   */
  public static String attribute(String stanza, String attr) {
    int lt = stanza.indexOf('<');
    int i = lt + 1;
    // Skip the element name.
    while (i < stanza.length() && " \t\r\n/>".indexOf(stanza.charAt(i)) < 0) {
      i++;
    }
    while (i < stanza.length()) {
      char c = stanza.charAt(i);
      if (c == '>' || c == '/') {
        return null;
      }
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        i++;
        continue;
      }
      int eq = stanza.indexOf('=', i);
      if (eq < 0 || eq + 1 >= stanza.length()) {
        return null;
      }
      String name = stanza.substring(i, eq).trim();
      char q = stanza.charAt(eq + 1);
      if (q != '"' && q != '\'') {
        throw new IllegalArgumentException("unquoted attribute " + name);
      }
      int close = stanza.indexOf(q, eq + 2);
      if (close < 0) {
        throw new IllegalArgumentException("unterminated attribute " + name);
      }
      if (name.equals(attr)) {
        return unescape(stanza.substring(eq + 2, close));
      }
      i = close + 1;
    }
    return null;
  }

  /**
   * The unescaped text of the first child element named {@code child} (no namespace prefix), "" for
   * an empty one, or null when there is none.
   */
  public static String childText(String stanza, String child) {
    int from = stanza.indexOf('>');
    while (from >= 0) {
      int open = stanza.indexOf("<" + child, from);
      if (open < 0) {
        return null;
      }
      int after = open + 1 + child.length();
      if (after >= stanza.length()) {
        return null;
      }
      char c = stanza.charAt(after);
      if (c != '>' && c != ' ' && c != '/' && c != '\t' && c != '\n' && c != '\r') {
        from = after; // a longer name with the same prefix, e.g. <bodyx>
        continue;
      }
      int gt = stanza.indexOf('>', after);
      if (gt < 0) {
        return null;
      }
      if (stanza.charAt(gt - 1) == '/') {
        return "";
      }
      int end = stanza.indexOf("</" + child + ">", gt);
      if (end < 0) {
        throw new IllegalArgumentException("unterminated <" + child + ">");
      }
      return unescape(stanza.substring(gt + 1, end));
    }
    return null;
  }
}
