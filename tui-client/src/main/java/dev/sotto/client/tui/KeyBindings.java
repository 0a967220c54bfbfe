package dev.sotto.client.tui;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which key does what. Immutable. {@link #defaults()} are the defaults; {@link
 * KeyConfigParser} overrides them from {@code keys.conf}.
 */
public final class KeyBindings {

  private final Map<KeyChord, KeyAction> byKey;

  KeyBindings(Map<KeyChord, KeyAction> byKey) {
    this.byKey = Collections.unmodifiableMap(new LinkedHashMap<>(byKey));
  }

  /** The default bindings. */
  public static KeyBindings defaults() {
    Map<KeyChord, KeyAction> m = new LinkedHashMap<>();
    m.put(KeyChord.of("Enter"), KeyAction.SUBMIT);
    m.put(KeyChord.alt("Enter"), KeyAction.INSERT_NEWLINE);
    m.put(KeyChord.ctrl("n"), KeyAction.NEXT_CONVERSATION);
    m.put(KeyChord.ctrl("p"), KeyAction.PREVIOUS_CONVERSATION);
    m.put(KeyChord.alt("a"), KeyAction.NEXT_UNREAD);
    KeyAction[] numbered = {
      KeyAction.CONVERSATION_1, KeyAction.CONVERSATION_2, KeyAction.CONVERSATION_3,
      KeyAction.CONVERSATION_4, KeyAction.CONVERSATION_5, KeyAction.CONVERSATION_6,
      KeyAction.CONVERSATION_7, KeyAction.CONVERSATION_8, KeyAction.CONVERSATION_9
    };
    for (int i = 0; i < 9; i++) {
      m.put(KeyChord.alt(Integer.toString(i + 1)), numbered[i]);
    }
    m.put(KeyChord.of("PageUp"), KeyAction.SCROLL_UP);
    m.put(KeyChord.of("PageDown"), KeyAction.SCROLL_DOWN);
    m.put(KeyChord.of("Up"), KeyAction.HISTORY_PREVIOUS);
    m.put(KeyChord.of("Down"), KeyAction.HISTORY_NEXT);
    m.put(KeyChord.of("Left"), KeyAction.CHAR_LEFT);
    m.put(KeyChord.of("Right"), KeyAction.CHAR_RIGHT);
    m.put(KeyChord.ctrl("b"), KeyAction.CHAR_LEFT);
    m.put(KeyChord.ctrl("f"), KeyAction.CHAR_RIGHT);
    m.put(KeyChord.of("Home"), KeyAction.LINE_START);
    m.put(KeyChord.ctrl("a"), KeyAction.LINE_START);
    m.put(KeyChord.of("End"), KeyAction.LINE_END);
    m.put(KeyChord.ctrl("e"), KeyAction.LINE_END);
    m.put(KeyChord.alt("b"), KeyAction.WORD_LEFT);
    m.put(KeyChord.alt("f"), KeyAction.WORD_RIGHT);
    m.put(KeyChord.of("Backspace"), KeyAction.DELETE_BACK);
    m.put(KeyChord.ctrl("h"), KeyAction.DELETE_BACK);
    m.put(KeyChord.of("Delete"), KeyAction.DELETE_FORWARD);
    m.put(KeyChord.ctrl("d"), KeyAction.DELETE_FORWARD);
    m.put(KeyChord.ctrl("w"), KeyAction.KILL_WORD);
    m.put(KeyChord.ctrl("u"), KeyAction.KILL_TO_START);
    m.put(KeyChord.ctrl("k"), KeyAction.KILL_TO_END);
    m.put(KeyChord.ctrl("y"), KeyAction.YANK);
    m.put(KeyChord.of("Tab"), KeyAction.COMPLETE);
    m.put(KeyChord.ctrl("l"), KeyAction.REDRAW);
    m.put(KeyChord.of("F1"), KeyAction.HELP);
    m.put(KeyChord.ctrl("c"), KeyAction.QUIT);
    return new KeyBindings(m);
  }

  /** The action bound to {@code chord}. */
  Optional<KeyAction> actionFor(KeyChord chord) {
    return Optional.ofNullable(byKey.get(chord));
  }

  /** The keys bound to each action, in binding order. */
  Map<KeyAction, List<KeyChord>> byAction() {
    Map<KeyAction, List<KeyChord>> m = new EnumMap<>(KeyAction.class);
    byKey.forEach((k, a) -> m.computeIfAbsent(a, x -> new ArrayList<>()).add(k));
    return m;
  }

  Map<KeyChord, KeyAction> asMap() {
    return byKey;
  }
}
