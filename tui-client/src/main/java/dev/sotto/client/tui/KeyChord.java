package dev.sotto.client.tui;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A key with modifiers, independent of Lanterna: {@code key} is one lower-case character ({@code
 * "n"}, {@code "1"}) or a named key ({@code "Enter"}, {@code "PageUp"}, {@code "F1"}).
 *
 * @param key the key
 * @param ctrl Ctrl held
 * @param alt Alt (Meta) held, or Escape pressed just before
 */
record KeyChord(String key, boolean ctrl, boolean alt) {

  /** The named keys, as written in {@code keys.conf}. */
  static final Set<String> NAMED =
      Set.of(
          "Enter",
          "Tab",
          "Backspace",
          "Delete",
          "Insert",
          "Left",
          "Right",
          "Up",
          "Down",
          "Home",
          "End",
          "PageUp",
          "PageDown",
          "Escape",
          "F1",
          "F2",
          "F3",
          "F4",
          "F5",
          "F6",
          "F7",
          "F8",
          "F9",
          "F10",
          "F11",
          "F12");

  KeyChord {
    Objects.requireNonNull(key, "key");
  }

  /** A character key without modifiers. */
  static KeyChord of(String key) {
    return new KeyChord(key, false, false);
  }

  /** Ctrl+key. */
  static KeyChord ctrl(String key) {
    return new KeyChord(key, true, false);
  }

  /** Alt+key. */
  static KeyChord alt(String key) {
    return new KeyChord(key, false, true);
  }

  /**
   * Parses {@code Ctrl+N}, {@code Alt+1}, {@code Alt+Enter}, {@code PageUp}, {@code F1} (modifier
   * and key names in any case).
   *
   * @throws IllegalArgumentException with a sentence when it is not a key
   */
  static KeyChord parse(String text) {
    String rest = text.strip();
    boolean ctrl = false;
    boolean alt = false;
    while (true) {
      String lower = rest.toLowerCase(Locale.ROOT);
      if (lower.startsWith("ctrl+") || lower.startsWith("ctrl-")) {
        ctrl = true;
        rest = rest.substring(5);
      } else if (lower.startsWith("alt+") || lower.startsWith("alt-")) {
        alt = true;
        rest = rest.substring(4);
      } else if (lower.startsWith("meta+") || lower.startsWith("meta-")) {
        alt = true;
        rest = rest.substring(5);
      } else {
        break;
      }
    }
    if (rest.isEmpty()) {
      throw new IllegalArgumentException("no key after the modifiers in '" + text + "'");
    }
    if (rest.codePointCount(0, rest.length()) == 1) {
      if (Character.isWhitespace(rest.codePointAt(0))) {
        throw new IllegalArgumentException("a key cannot be whitespace");
      }
      return new KeyChord(rest.toLowerCase(Locale.ROOT), ctrl, alt);
    }
    for (String named : NAMED) {
      if (named.equalsIgnoreCase(rest)) {
        return new KeyChord(named, ctrl, alt);
      }
    }
    String lower = rest.toLowerCase(Locale.ROOT);
    String alias =
        switch (lower) {
          case "esc" -> "Escape";
          case "return" -> "Enter";
          case "pgup" -> "PageUp";
          case "pgdn", "pgdown" -> "PageDown";
          case "del" -> "Delete";
          case "space" -> " ";
          default -> null;
        };
    if (alias != null) {
      return new KeyChord(alias, ctrl, alt);
    }
    throw new IllegalArgumentException(
        "unknown key '"
            + rest
            + "' (use one character or one of "
            + String.join(", ", NAMED)
            + ", with Ctrl+ or Alt+ in front)");
  }

  @Override
  public String toString() {
    String k = key.length() == 1 ? key.toUpperCase(Locale.ROOT) : key;
    if (k.equals(" ")) {
      k = "Space";
    }
    return (ctrl ? "Ctrl+" : "") + (alt ? "Alt+" : "") + k;
  }
}
