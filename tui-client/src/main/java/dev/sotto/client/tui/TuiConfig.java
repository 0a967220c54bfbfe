package dev.sotto.client.tui;

import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How the TUI looks and behaves.
 *
 * @param keys the key bindings
 * @param color whether to use colours ({@code false} when {@code NO_COLOR} is set: reverse and bold
 *     only)
 * @param unicode whether to draw Unicode marks (ticks, presence); ASCII otherwise
 * @param bell whether to ring the terminal bell for a message not on screen (never for a muted
 *     conversation)
 * @param idleAway after how long without a key the presence becomes AWAY; {@link Duration#ZERO}
 *     never
 * @param zone the time zone for timestamps and day separators
 * @param clock the clock (tests pass a fixed one)
 */
public record TuiConfig(
    KeyBindings keys,
    boolean color,
    boolean unicode,
    boolean bell,
    Duration idleAway,
    ZoneId zone,
    Clock clock) {

  /** The default idle time before AWAY. */
  public static final Duration DEFAULT_IDLE_AWAY = Duration.ofMinutes(10);

  public TuiConfig {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(idleAway, "idleAway");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(clock, "clock");
    if (idleAway.isNegative()) {
      throw new IllegalArgumentException("idleAway must not be negative");
    }
  }

  /** Defaults: colour, Unicode, bell on, AWAY after 10 minutes, system zone and clock. */
  public static TuiConfig defaults() {
    return new TuiConfig(
        KeyBindings.defaults(),
        true,
        true,
        true,
        DEFAULT_IDLE_AWAY,
        ZoneId.systemDefault(),
        Clock.systemDefaultZone());
  }

  /**
   * Reads the environment: {@code NO_COLOR} (any value) turns colours off; {@code TERM=linux} or a
   * locale/charset without UTF-8 selects ASCII marks; {@code SOTTO_BELL=off} silences the bell;
   * {@code SOTTO_AWAY_MINUTES=N} sets the idle time (0: never); keys come from {@code
   * $XDG_CONFIG_HOME/sotto/keys.conf} (default {@code ~/.config}).
   *
   * @throws KeyConfigException when {@code keys.conf} or a variable is malformed
   */
  public static TuiConfig fromEnvironment(Map<String, String> env, Charset charset)
      throws KeyConfigException {
    boolean color = !env.containsKey("NO_COLOR");
    String term = env.getOrDefault("TERM", "");
    String locale =
        firstNonEmpty(env.get("LC_ALL"), env.get("LC_CTYPE"), env.get("LANG"))
            .toUpperCase(Locale.ROOT);
    boolean utf8Locale = locale.contains("UTF-8") || locale.contains("UTF8");
    boolean unicode =
        !term.equals("linux") && charset.name().equalsIgnoreCase("UTF-8") && utf8Locale;
    boolean bell = !"off".equalsIgnoreCase(env.getOrDefault("SOTTO_BELL", "on"));
    Duration idle = DEFAULT_IDLE_AWAY;
    String minutes = env.get("SOTTO_AWAY_MINUTES");
    if (minutes != null) {
      try {
        long m = Long.parseLong(minutes.strip());
        if (m < 0 || m > 24 * 60) {
          throw new NumberFormatException();
        }
        idle = Duration.ofMinutes(m);
      } catch (NumberFormatException e) {
        throw new KeyConfigException(
            "SOTTO_AWAY_MINUTES must be a whole number of minutes from 0 to 1440, got '"
                + minutes
                + "'",
            null);
      }
    }
    String xdg = env.get("XDG_CONFIG_HOME");
    Path configHome =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".config");
    KeyBindings keys = KeyConfigParser.load(configHome.resolve("sotto").resolve("keys.conf"));
    return new TuiConfig(
        keys, color, unicode, bell, idle, ZoneId.systemDefault(), Clock.systemDefaultZone());
  }

  /** A copy with other key bindings. */
  public TuiConfig withKeys(KeyBindings k) {
    return new TuiConfig(k, color, unicode, bell, idleAway, zone, clock);
  }

  /** A copy with colours on or off. */
  public TuiConfig withColor(boolean c) {
    return new TuiConfig(keys, c, unicode, bell, idleAway, zone, clock);
  }

  /** A copy with Unicode or ASCII marks. */
  public TuiConfig withUnicode(boolean u) {
    return new TuiConfig(keys, color, u, bell, idleAway, zone, clock);
  }

  /** A copy with the bell on or off. */
  public TuiConfig withBell(boolean b) {
    return new TuiConfig(keys, color, unicode, b, idleAway, zone, clock);
  }

  /** A copy with another idle time. */
  public TuiConfig withIdleAway(Duration d) {
    return new TuiConfig(keys, color, unicode, bell, d, zone, clock);
  }

  /** A copy with another clock and zone. */
  public TuiConfig withClock(Clock c, ZoneId z) {
    return new TuiConfig(keys, color, unicode, bell, idleAway, z, c);
  }

  Glyphs glyphs() {
    return unicode ? Glyphs.UNICODE : Glyphs.ASCII;
  }

  private static String firstNonEmpty(String... values) {
    for (String v : values) {
      if (v != null && !v.isEmpty()) {
        return v;
      }
    }
    return "";
  }
}
