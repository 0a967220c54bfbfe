package dev.sotto.client.tui;

import com.googlecode.lanterna.TextCharacter;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Display width of text in terminal columns, and word wrapping by width.
 *
 * <p>The widths follow the ones Lanterna's screen uses when it draws (a double-width CJK or emoji
 * character takes two columns, any supplementary code point takes two), so what we lay out is what
 * the screen puts down. Combining marks and format characters (ZWJ, variation selectors) take no
 * column and are not drawn: an accent typed as a separate mark shows without it, and an emoji ZWJ
 * sequence shows as its parts. Control characters are never drawn as is: {@link #sanitize} turns
 * them into {@code '?'} so that a peer cannot send terminal escape sequences.
 */
final class TextWidth {

  private static final BitSet KNOWN = new BitSet(0x10000);
  private static final BitSet WIDE = new BitSet(0x10000);

  private TextWidth() {}

  /** Columns taken by one code point: 0, 1 or 2. */
  static int of(int cp) {
    if (isZeroWidth(cp)) {
      return 0;
    }
    if (cp >= 0x10000) {
      return 2;
    }
    synchronized (KNOWN) {
      if (!KNOWN.get(cp)) {
        KNOWN.set(cp);
        if (TextCharacter.fromCharacter((char) cp)[0].isDoubleWidth()) {
          WIDE.set(cp);
        }
      }
      return WIDE.get(cp) ? 2 : 1;
    }
  }

  /** Whether the code point takes no column (combining mark, format character, control). */
  static boolean isZeroWidth(int cp) {
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
      return true;
    }
    int type = Character.getType(cp);
    return type == Character.NON_SPACING_MARK
        || type == Character.ENCLOSING_MARK
        || type == Character.FORMAT;
  }

  /** Columns taken by a string. */
  static int of(CharSequence s) {
    int w = 0;
    for (int i = 0; i < s.length(); ) {
      int cp = Character.codePointAt(s, i);
      w += of(cp);
      i += Character.charCount(cp);
    }
    return w;
  }

  /**
   * Replaces characters that must never reach the terminal: tabs become a space, other C0/C1
   * controls and DEL become {@code '?'}; newlines are kept.
   */
  static String sanitize(String s) {
    StringBuilder out = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      char r = c;
      if (c == '\t') {
        r = ' ';
      } else if (c != '\n' && (c < 0x20 || (c >= 0x7f && c < 0xa0))) {
        r = '?';
      }
      if (r != c && out == null) {
        out = new StringBuilder(s.length()).append(s, 0, i);
      }
      if (out != null) {
        out.append(r);
      }
    }
    return out == null ? s : out.toString();
  }

  /** The longest prefix of {@code s} that fits in {@code width} columns. */
  static String fit(String s, int width) {
    int w = 0;
    int i = 0;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      int cw = of(cp);
      if (w + cw > width) {
        break;
      }
      w += cw;
      i += Character.charCount(cp);
    }
    return s.substring(0, i);
  }

  /** {@code s} cut or padded with spaces to exactly {@code width} columns. */
  static String pad(String s, int width) {
    String f = fit(s, width);
    return f + " ".repeat(Math.max(0, width - of(f)));
  }

  /**
   * Wraps text to lines of at most {@code width} columns: breaks at spaces where it can, splits
   * words longer than a line, keeps explicit newlines. Never returns an empty list.
   */
  static List<String> wrap(String text, int width) {
    if (width < 1) {
      throw new IllegalArgumentException("width must be >= 1, got " + width);
    }
    List<String> lines = new ArrayList<>();
    for (String paragraph : text.split("\n", -1)) {
      wrapParagraph(paragraph, width, lines);
    }
    return lines;
  }

  private static void wrapParagraph(String p, int width, List<String> out) {
    StringBuilder line = new StringBuilder();
    int lineWidth = 0;
    int lastSpace = -1;
    for (int i = 0; i < p.length(); ) {
      int cp = p.codePointAt(i);
      i += Character.charCount(cp);
      int w = of(cp);
      if (lineWidth + w > width && lineWidth > 0) {
        if (cp == ' ') {
          out.add(stripTrailingSpaces(line));
          line.setLength(0);
          lineWidth = 0;
          lastSpace = -1;
          continue;
        }
        if (lastSpace >= 0) {
          String carry = line.substring(lastSpace + 1);
          line.setLength(lastSpace);
          out.add(stripTrailingSpaces(line));
          line.setLength(0);
          line.append(carry);
          lineWidth = of(carry);
        } else {
          out.add(line.toString());
          line.setLength(0);
          lineWidth = 0;
        }
        lastSpace = -1;
        if (lineWidth + w > width && lineWidth > 0) {
          out.add(line.toString());
          line.setLength(0);
          lineWidth = 0;
        }
      }
      line.appendCodePoint(cp);
      lineWidth += w;
      if (cp == ' ') {
        lastSpace = line.length() - 1;
      }
    }
    out.add(line.toString());
  }

  private static String stripTrailingSpaces(CharSequence s) {
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == ' ') {
      end--;
    }
    return s.subSequence(0, end).toString();
  }
}
