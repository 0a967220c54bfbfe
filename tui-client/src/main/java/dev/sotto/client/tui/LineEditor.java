package dev.sotto.client.tui;

import java.util.ArrayList;
import java.util.List;

/**
 * The input line's editor, without any terminal: a text buffer with a cursor, readline-style
 * motions and kills, a one-entry kill buffer (yank), and a bounded input history.
 *
 * <p>The cursor is a {@code char} index that always sits on a code point boundary and never inside
 * a cluster of a base character and its combining marks, so surrogate pairs, wide characters and
 * accents move and delete as one unit. The buffer may contain newlines (Alt+Enter, paste). The
 * buffer is capped at {@link #MAX_CHARS} chars; the history at {@link #MAX_HISTORY} entries. Not
 * thread-safe: the UI thread owns it.
 */
final class LineEditor {

  /** Most chars the buffer holds; more typed or pasted text is dropped. */
  static final int MAX_CHARS = 16 * 1024;

  /** Most history entries kept. */
  static final int MAX_HISTORY = 500;

  private final StringBuilder buffer = new StringBuilder();
  private int cursor;
  private String killed = "";
  private final List<String> history = new ArrayList<>();
  private int historyIndex; // == history.size() when editing the draft
  private String draft = "";

  /** The text. */
  String text() {
    return buffer.toString();
  }

  /** The cursor as a char index into {@link #text()}. */
  int cursor() {
    return cursor;
  }

  /** Whether the buffer is empty. */
  boolean isEmpty() {
    return buffer.length() == 0;
  }

  /** Replaces the text and puts the cursor at its end. */
  void setText(String text) {
    buffer.setLength(0);
    buffer.append(text, 0, Math.min(text.length(), MAX_CHARS));
    cursor = boundaryAtOrBefore(buffer.length());
  }

  /** Clears the buffer (history and kill buffer stay). */
  void clear() {
    buffer.setLength(0);
    cursor = 0;
    historyIndex = history.size();
  }

  /**
   * Inserts text at the cursor.
   *
   * @return false when some of it did not fit under {@link #MAX_CHARS}
   */
  boolean insert(String s) {
    int room = MAX_CHARS - buffer.length();
    String part = s;
    boolean all = true;
    if (part.length() > room) {
      int end = room;
      if (end > 0 && Character.isHighSurrogate(part.charAt(end - 1))) {
        end--;
      }
      part = part.substring(0, Math.max(0, end));
      all = false;
    }
    buffer.insert(cursor, part);
    cursor += part.length();
    return all;
  }

  /** Inserts one code point. */
  boolean insert(int codePoint) {
    return insert(new String(Character.toChars(codePoint)));
  }

  /** Moves one character left. */
  void left() {
    cursor = prevBoundary(cursor);
  }

  /** Moves one character right. */
  void right() {
    cursor = nextBoundary(cursor);
  }

  /** Moves to the start of the buffer. */
  void home() {
    cursor = 0;
  }

  /** Moves to the end of the buffer. */
  void end() {
    cursor = buffer.length();
  }

  /** Alt+B: back to the start of the current or previous word (letters and digits). */
  void wordLeft() {
    int c = cursor;
    while (c > 0 && !isWordChar(codePointBefore(c))) {
      c = prevBoundary(c);
    }
    while (c > 0 && isWordChar(codePointBefore(c))) {
      c = prevBoundary(c);
    }
    cursor = c;
  }

  /** Alt+F: forward to the end of the current or next word. */
  void wordRight() {
    int c = cursor;
    while (c < buffer.length() && !isWordChar(buffer.codePointAt(c))) {
      c = nextBoundary(c);
    }
    while (c < buffer.length() && isWordChar(buffer.codePointAt(c))) {
      c = nextBoundary(c);
    }
    cursor = c;
  }

  /** Backspace: deletes the character before the cursor. */
  void deleteBack() {
    int p = prevBoundary(cursor);
    buffer.delete(p, cursor);
    cursor = p;
  }

  /** Delete: deletes the character under the cursor. */
  void deleteForward() {
    buffer.delete(cursor, nextBoundary(cursor));
  }

  /** Ctrl+W: kills back to the previous whitespace (unix-word-rubout). */
  void killWordBack() {
    int c = cursor;
    while (c > 0 && Character.isWhitespace(codePointBefore(c))) {
      c = prevBoundary(c);
    }
    while (c > 0 && !Character.isWhitespace(codePointBefore(c))) {
      c = prevBoundary(c);
    }
    kill(c, cursor);
    cursor = c;
  }

  /** Ctrl+U: kills from the start to the cursor. */
  void killToStart() {
    kill(0, cursor);
    cursor = 0;
  }

  /** Ctrl+K: kills from the cursor to the end. */
  void killToEnd() {
    kill(cursor, buffer.length());
  }

  /** Ctrl+Y: inserts the last killed text. */
  void yank() {
    insert(killed);
  }

  /** The last killed text. */
  String killed() {
    return killed;
  }

  private void kill(int from, int to) {
    if (to > from) {
      killed = buffer.substring(from, to);
      buffer.delete(from, to);
    }
  }

  /**
   * Takes the text for sending: returns it, records it in the history (unless blank or equal to the
   * newest entry) and clears the buffer.
   */
  String submit() {
    String t = text();
    if (!t.isBlank() && (history.isEmpty() || !history.get(history.size() - 1).equals(t))) {
      history.add(t);
      if (history.size() > MAX_HISTORY) {
        history.remove(0);
      }
    }
    clear();
    draft = "";
    return t;
  }

  /** Takes the text without recording it (passwords). */
  String submitSecret() {
    String t = text();
    clear();
    return t;
  }

  /** Up: the previous history entry; the unfinished text is kept as a draft. */
  void historyPrev() {
    if (historyIndex == 0) {
      return;
    }
    if (historyIndex == history.size()) {
      draft = text();
    }
    historyIndex--;
    setText(history.get(historyIndex));
  }

  /** Down: the next history entry, or back to the draft. */
  void historyNext() {
    if (historyIndex >= history.size()) {
      return;
    }
    historyIndex++;
    setText(historyIndex == history.size() ? draft : history.get(historyIndex));
  }

  /** The history, oldest first. */
  List<String> history() {
    return List.copyOf(history);
  }

  /** The word the cursor ends (for completion): from the previous space to the cursor. */
  String wordBeforeCursor() {
    int c = cursor;
    while (c > 0 && !Character.isWhitespace(codePointBefore(c))) {
      c = prevBoundary(c);
    }
    return buffer.substring(c, cursor);
  }

  /** Replaces {@link #wordBeforeCursor()} with {@code replacement}. */
  void replaceWordBeforeCursor(String replacement) {
    int start = cursor - wordBeforeCursor().length();
    buffer.replace(start, cursor, replacement);
    cursor = start + replacement.length();
  }

  private static boolean isWordChar(int cp) {
    return Character.isLetterOrDigit(cp);
  }

  private int codePointBefore(int index) {
    return Character.codePointBefore(buffer, index);
  }

  /** Next cluster boundary after {@code index}: one code point plus its zero-width followers. */
  private int nextBoundary(int index) {
    if (index >= buffer.length()) {
      return buffer.length();
    }
    int i = index + Character.charCount(buffer.codePointAt(index));
    while (i < buffer.length() && isAttached(buffer.codePointAt(i))) {
      i += Character.charCount(buffer.codePointAt(i));
    }
    return i;
  }

  private int prevBoundary(int index) {
    if (index <= 0) {
      return 0;
    }
    int i = index - Character.charCount(Character.codePointBefore(buffer, index));
    while (i > 0 && isAttached(buffer.codePointAt(i))) {
      i -= Character.charCount(Character.codePointBefore(buffer, i));
    }
    return i;
  }

  private int boundaryAtOrBefore(int index) {
    int i = 0;
    while (i < index) {
      int n = nextBoundary(i);
      if (n > index) {
        break;
      }
      i = n;
    }
    return i;
  }

  /** A code point that belongs to the one before it (combining mark, ZWJ, variation selector). */
  private static boolean isAttached(int cp) {
    if (cp == '\n') {
      return false;
    }
    return TextWidth.isZeroWidth(cp) && cp >= 0x20;
  }
}
