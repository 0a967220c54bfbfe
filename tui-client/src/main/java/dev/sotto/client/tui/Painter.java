package dev.sotto.client.tui;

import com.googlecode.lanterna.SGR;
import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.TextCharacter;
import com.googlecode.lanterna.TextColor;
import com.googlecode.lanterna.screen.Screen;
import java.util.EnumSet;

/**
 * Puts text onto the screen buffer cell by cell, with our widths ({@link TextWidth}), so wide
 * characters and emoji land where the layout expects them. Maps {@link Style}s to colours, or to
 * bold/reverse only when colours are off (NO_COLOR).
 */
final class Painter {

  private final Screen screen;
  private final boolean color;

  Painter(Screen screen, boolean color) {
    this.screen = screen;
    this.color = color;
  }

  TerminalSize size() {
    return screen.getTerminalSize();
  }

  /** Blanks the whole buffer. */
  void clear() {
    TerminalSize s = size();
    fill(0, 0, s.getColumns(), s.getRows(), Style.NORMAL);
  }

  /** Fills a rectangle with spaces in {@code style}. */
  void fill(int col, int row, int width, int height, Style style) {
    TextCharacter blank = cell(' ', style);
    for (int r = row; r < row + height; r++) {
      for (int c = col; c < col + width; c++) {
        screen.setCharacter(c, r, blank);
      }
    }
  }

  /**
   * Draws {@code text} (already sanitized) from {@code col}, never past {@code maxCol} (exclusive).
   *
   * @return the column after the last drawn character
   */
  int put(int col, int row, String text, Style style, int maxCol) {
    int c = col;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      int w = TextWidth.of(cp);
      if (w == 0) {
        continue;
      }
      if (c + w > maxCol) {
        break;
      }
      TextCharacter tc;
      if (cp < 0x10000) {
        tc = cell((char) cp, style);
      } else {
        TextCharacter[] parts =
            TextCharacter.fromString(
                new String(Character.toChars(cp)), fg(style), bg(style), sgr(style));
        tc = parts[0];
      }
      screen.setCharacter(c, row, tc);
      c += w;
    }
    return c;
  }

  private TextCharacter cell(char ch, Style style) {
    return new TextCharacter(ch, fg(style), bg(style), sgr(style));
  }

  private TextColor fg(Style s) {
    if (!color) {
      return TextColor.ANSI.DEFAULT;
    }
    return switch (s) {
      case TITLE, STATUS, BANNER -> TextColor.ANSI.WHITE_BRIGHT;
      case TIME, SYSTEM -> TextColor.ANSI.CYAN;
      case NICK_SELF -> TextColor.ANSI.GREEN_BRIGHT;
      case NICK_OTHER -> TextColor.ANSI.YELLOW_BRIGHT;
      case ERROR, MARKER -> TextColor.ANSI.RED_BRIGHT;
      case HIGHLIGHT -> TextColor.ANSI.BLACK;
      case INPUT_PROMPT -> TextColor.ANSI.CYAN_BRIGHT;
      default -> TextColor.ANSI.DEFAULT;
    };
  }

  private TextColor bg(Style s) {
    if (!color) {
      return TextColor.ANSI.DEFAULT;
    }
    return switch (s) {
      case TITLE, STATUS -> TextColor.ANSI.BLUE;
      case BANNER -> TextColor.ANSI.RED;
      case HIGHLIGHT -> TextColor.ANSI.YELLOW;
      default -> TextColor.ANSI.DEFAULT;
    };
  }

  private EnumSet<SGR> sgr(Style s) {
    EnumSet<SGR> set = EnumSet.noneOf(SGR.class);
    switch (s) {
      case SELECTED -> set.add(SGR.REVERSE);
      case UNREAD, NICK_SELF, NICK_OTHER, MARKER, INPUT_PROMPT -> set.add(SGR.BOLD);
      case ERROR -> set.add(SGR.BOLD);
      case TITLE, STATUS -> {
        if (!color) {
          set.add(SGR.REVERSE);
        }
      }
      case BANNER, HIGHLIGHT -> {
        set.add(SGR.BOLD);
        if (!color) {
          set.add(SGR.REVERSE);
        }
      }
      default -> {}
    }
    return set;
  }
}
