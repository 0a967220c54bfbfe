package dev.sotto.client.tui;

/** What a piece of text is; {@link Painter} maps it to colours or, under NO_COLOR, to SGR. */
enum Style {
  NORMAL,
  TITLE,
  STATUS,
  SELECTED,
  UNREAD,
  TIME,
  NICK_SELF,
  NICK_OTHER,
  SYSTEM,
  ERROR,
  BANNER,
  HIGHLIGHT,
  MARKER,
  INPUT_PROMPT
}
