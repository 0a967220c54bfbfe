package dev.sotto.client.tui;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code $XDG_CONFIG_HOME/sotto/keys.conf}: one {@code action = key} per line, {@code #}
 * comments and blank lines ignored, e.g. {@code next-unread = Alt+U}. Several lines for the same
 * action give it several keys; an action named in the file loses its default keys; a key named in
 * the file is taken from whatever default action had it. Parsing is strict: an unknown action, an
 * unknown key, a line without {@code =}, or one key given to two actions is an error naming the
 * line. The file is capped at 64 KiB.
 */
public final class KeyConfigParser {

  static final int MAX_BYTES = 64 * 1024;

  private KeyConfigParser() {}

  /** Reads the file; a missing file gives the defaults. */
  public static KeyBindings load(Path file) throws KeyConfigException {
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new KeyConfigException(
            file + " is larger than " + MAX_BYTES + " bytes; is it the right file?", null);
      }
      return parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      return KeyBindings.defaults();
    } catch (IOException e) {
      throw new KeyConfigException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Parses file content over the defaults. */
  public static KeyBindings parse(String content) throws KeyConfigException {
    Map<KeyChord, KeyAction> fromFile = new LinkedHashMap<>();
    Map<KeyChord, Integer> lineOf = new HashMap<>();
    Set<KeyAction> named = EnumSet.noneOf(KeyAction.class);
    String[] lines = content.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int lineNo = i + 1;
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq < 0) {
        throw new KeyConfigException(
            lineNo, "expected 'action = key', got '" + shorten(line) + "'");
      }
      String actionName = line.substring(0, eq).strip();
      String keyText = line.substring(eq + 1).strip();
      KeyAction action =
          KeyAction.fromConfigName(actionName)
              .orElseThrow(
                  () ->
                      new KeyConfigException(
                          lineNo,
                          "unknown action '"
                              + shorten(actionName)
                              + "'; known actions: "
                              + knownActions()));
      if (keyText.isEmpty()) {
        throw new KeyConfigException(lineNo, "no key given for " + action.configName());
      }
      KeyChord chord;
      try {
        chord = KeyChord.parse(keyText);
      } catch (IllegalArgumentException e) {
        throw new KeyConfigException(lineNo, e.getMessage());
      }
      KeyAction previous = fromFile.get(chord);
      if (previous != null && previous != action) {
        throw new KeyConfigException(
            lineNo,
            chord
                + " is already bound to "
                + previous.configName()
                + " on line "
                + lineOf.get(chord));
      }
      fromFile.put(chord, action);
      lineOf.put(chord, lineNo);
      named.add(action);
    }
    Map<KeyChord, KeyAction> result = new LinkedHashMap<>();
    KeyBindings.defaults()
        .asMap()
        .forEach(
            (k, a) -> {
              if (!named.contains(a) && !fromFile.containsKey(k)) {
                result.put(k, a);
              }
            });
    result.putAll(fromFile);
    return new KeyBindings(result);
  }

  private static String knownActions() {
    StringBuilder sb = new StringBuilder();
    for (KeyAction a : KeyAction.values()) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(a.configName());
    }
    return sb.toString();
  }

  private static String shorten(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
