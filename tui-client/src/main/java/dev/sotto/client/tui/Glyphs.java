package dev.sotto.client.tui;

import dev.sotto.client.tui.model.DeliveryState;
import dev.sotto.client.tui.model.Presence;

/**
 * The marks the screens draw, in a Unicode set and an ASCII set (for {@code TERM=linux} and
 * terminals without UTF-8). Every Unicode mark here is one column wide per character.
 */
record Glyphs(
    String sending,
    String stored,
    String delivered,
    String read,
    String failed,
    String online,
    String away,
    String dnd,
    String offline,
    String muted,
    String vertical,
    String horizontal,
    String newline) {

  static final Glyphs UNICODE =
      new Glyphs("·", "✓", "✓✓", "●●", "✗", "●", "◐", "⊘", "○", "♪", "│", "─", "↵");
  static final Glyphs ASCII =
      new Glyphs(".", "+", "++", "**", "!", "+", "~", "-", " ", "m", "|", "-", "|");

  String tick(DeliveryState s) {
    return switch (s) {
      case SENDING -> sending;
      case STORED -> stored;
      case DELIVERED -> delivered;
      case READ -> read;
      case FAILED -> failed;
    };
  }

  String presence(Presence p) {
    return switch (p) {
      case ONLINE -> online;
      case AWAY -> away;
      case DND -> dnd;
      case OFFLINE -> offline;
    };
  }
}
