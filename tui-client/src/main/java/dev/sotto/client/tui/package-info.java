/**
 * The full-screen terminal client (Lanterna), drawn on a {@link
 * com.googlecode.lanterna.screen.Screen} like weechat: a conversation list, a message pane, a
 * status bar and an input line, plus the start (login) screen.
 *
 * <p>The entry point is {@link dev.sotto.client.tui.TuiApp#run}. Everything the screens show comes
 * from the UI-facing model in {@code dev.sotto.client.tui.model}; the classes here add no protocol
 * or crypto. The UI thread owns all view state: model listeners and future completions only post
 * tasks to it. The input editor ({@code LineEditor}), command parsing ({@code CommandParser}), key
 * configuration ({@code KeyConfigParser}) and text width ({@code TextWidth}) hold no Lanterna state
 * and are tested on their own.
 */
package dev.sotto.client.tui;
