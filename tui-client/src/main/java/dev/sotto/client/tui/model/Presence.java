package dev.sotto.client.tui.model;

import java.util.Locale;
import java.util.Optional;

/** A user's presence as the server reports it (DESIGN.md "Delivery"). */
public enum Presence {
  ONLINE,
  AWAY,
  DND,
  OFFLINE;

  /** The lower-case word used in commands and on screen, e.g. {@code "dnd"}. */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code online}, {@code away} or {@code dnd} (any case); OFFLINE cannot be chosen. */
  public static Optional<Presence> parseSelectable(String word) {
    return switch (word.toLowerCase(Locale.ROOT)) {
      case "online" -> Optional.of(ONLINE);
      case "away" -> Optional.of(AWAY);
      case "dnd" -> Optional.of(DND);
      default -> Optional.empty();
    };
  }
}
