package dev.sotto.client.tui;

import com.googlecode.lanterna.input.CharacterPattern;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import java.util.List;
import java.util.Locale;

/**
 * Translates Lanterna key strokes to {@link KeyChord}s, and decodes bracketed paste.
 *
 * <p>Lanterna 3.1.5 has no key type for bracketed paste, so {@link #PASTE_PATTERN} (added to the
 * terminal's input decoder by {@link TuiApp}) turns {@code ESC [ 200 ~} and {@code ESC [ 201 ~}
 * into {@link PasteMarker} strokes; between them Enter inserts a newline instead of sending.
 */
final class Keys {

  private Keys() {}

  /** Start or end of a bracketed paste. */
  static final class PasteMarker extends KeyStroke {
    private final boolean start;

    PasteMarker(boolean start) {
      super(KeyType.Unknown);
      this.start = start;
    }

    boolean isStart() {
      return start;
    }

    @Override
    public String toString() {
      return start ? "PasteStart" : "PasteEnd";
    }
  }

  static final String PASTE_START = "\u001b[200~";
  static final String PASTE_END = "\u001b[201~";

  /** Recognises the bracketed paste sequences. */
  static final CharacterPattern PASTE_PATTERN =
      seq -> {
        StringBuilder sb = new StringBuilder(seq.size());
        for (Character c : seq) {
          sb.append(c.charValue());
        }
        String s = sb.toString();
        if (s.equals(PASTE_START)) {
          return new CharacterPattern.Matching(new PasteMarker(true));
        }
        if (s.equals(PASTE_END)) {
          return new CharacterPattern.Matching(new PasteMarker(false));
        }
        if (PASTE_START.startsWith(s) || PASTE_END.startsWith(s)) {
          return CharacterPattern.Matching.NOT_YET;
        }
        return null;
      };

  /**
   * A carriage return is Enter. Lanterna 3.1.5's own patterns drop a CR that arrives together with
   * the next character (measured: "hi\ryou" decodes as "hiou"), which is exactly how a paste
   * arrives.
   */
  static final CharacterPattern CR_PATTERN =
      seq ->
          seq.size() == 1 && seq.get(0) == '\r'
              ? new CharacterPattern.Matching(new KeyStroke(KeyType.Enter))
              : null;

  /** The bracketed paste sequences and the CR fix, as a decoding profile. */
  static List<CharacterPattern> pastePatterns() {
    return List.of(PASTE_PATTERN, CR_PATTERN);
  }

  /**
   * The chord of a stroke, or {@code null} for strokes that are no key (mouse, cursor reports).
   *
   * @param forceAlt whether Escape was pressed just before (Esc then key = Alt+key)
   */
  static KeyChord chordOf(KeyStroke k, boolean forceAlt) {
    boolean alt = k.isAltDown() || forceAlt;
    boolean ctrl = k.isCtrlDown();
    String key =
        switch (k.getKeyType()) {
          case Character -> {
            char c = k.getCharacter();
            if (c == ' ' && !ctrl && !alt) {
              yield " ";
            }
            yield String.valueOf(c).toLowerCase(Locale.ROOT);
          }
          case Enter -> "Enter";
          case Tab -> "Tab";
          case ReverseTab -> "Tab";
          case Backspace -> "Backspace";
          case Delete -> "Delete";
          case Insert -> "Insert";
          case ArrowLeft -> "Left";
          case ArrowRight -> "Right";
          case ArrowUp -> "Up";
          case ArrowDown -> "Down";
          case Home -> "Home";
          case End -> "End";
          case PageUp -> "PageUp";
          case PageDown -> "PageDown";
          case Escape -> "Escape";
          case F1 -> "F1";
          case F2 -> "F2";
          case F3 -> "F3";
          case F4 -> "F4";
          case F5 -> "F5";
          case F6 -> "F6";
          case F7 -> "F7";
          case F8 -> "F8";
          case F9 -> "F9";
          case F10 -> "F10";
          case F11 -> "F11";
          case F12 -> "F12";
          default -> null;
        };
    return key == null ? null : new KeyChord(key, ctrl, alt);
  }

  /** Whether the stroke is a character to insert (no Ctrl, no Alt). */
  static boolean isPlainCharacter(KeyStroke k) {
    return k.getKeyType() == KeyType.Character && !k.isCtrlDown() && !k.isAltDown();
  }
}
