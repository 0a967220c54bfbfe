package dev.sotto.client.tui;

import java.util.Locale;
import java.util.Optional;

/** Everything a key can be bound to; {@link #configName()} is the name in {@code keys.conf}. */
enum KeyAction {
  SUBMIT("send the line / run the command"),
  INSERT_NEWLINE("insert a newline"),
  NEXT_CONVERSATION("next conversation"),
  PREVIOUS_CONVERSATION("previous conversation"),
  NEXT_UNREAD("next conversation with unread messages"),
  CONVERSATION_1("conversation 1"),
  CONVERSATION_2("conversation 2"),
  CONVERSATION_3("conversation 3"),
  CONVERSATION_4("conversation 4"),
  CONVERSATION_5("conversation 5"),
  CONVERSATION_6("conversation 6"),
  CONVERSATION_7("conversation 7"),
  CONVERSATION_8("conversation 8"),
  CONVERSATION_9("conversation 9"),
  SCROLL_UP("scroll history up a page"),
  SCROLL_DOWN("scroll history down a page"),
  HISTORY_PREVIOUS("previous input line"),
  HISTORY_NEXT("next input line"),
  CHAR_LEFT("cursor left"),
  CHAR_RIGHT("cursor right"),
  LINE_START("start of line"),
  LINE_END("end of line"),
  WORD_LEFT("back one word"),
  WORD_RIGHT("forward one word"),
  DELETE_BACK("delete before the cursor"),
  DELETE_FORWARD("delete under the cursor"),
  KILL_WORD("delete the word before the cursor"),
  KILL_TO_START("delete to the start of line"),
  KILL_TO_END("delete to the end of line"),
  YANK("paste the last deleted text"),
  COMPLETE("complete a username or command"),
  REDRAW("redraw the screen"),
  HELP("help"),
  QUIT("quit");

  private final String description;

  KeyAction(String description) {
    this.description = description;
  }

  /** What the action does, for the help screen. */
  String description() {
    return description;
  }

  /** The name in {@code keys.conf}: lower case with dashes, e.g. {@code next-unread}. */
  String configName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The action named {@code name} in {@code keys.conf} (dashes or underscores, any case). */
  static Optional<KeyAction> fromConfigName(String name) {
    String n = name.strip().toUpperCase(Locale.ROOT).replace('-', '_');
    for (KeyAction a : values()) {
      if (a.name().equals(n)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }
}
