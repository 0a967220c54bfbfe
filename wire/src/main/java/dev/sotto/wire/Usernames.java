package dev.sotto.wire;

import dev.sotto.wire.proto.ErrorCode;
import java.util.Locale;
import java.util.Objects;

/**
 * The username rule: 3 to 32 characters of {@code a-z 0-9 . _ -} after trimming and case-folding.
 * Server and client apply the same rule, so a name the client accepts is never refused for its
 * form.
 */
public final class Usernames {
  /** Shortest username. */
  public static final int MIN_LENGTH = 3;

  /** Longest username. */
  public static final int MAX_LENGTH = 32;

  /** The rule as a sentence for a person. */
  public static final String RULE =
      "A username is 3 to 32 characters of lowercase letters a-z, digits 0-9, '.', '_' or '-'.";

  private Usernames() {}

  /**
   * The canonical form of {@code raw}: trimmed and lower-cased with {@link Locale#ROOT}.
   *
   * <p>Anything outside ASCII is refused before case-folding, so that characters such as the Kelvin
   * sign (U+212A, which lower-cases to {@code k}) cannot make a second spelling of an existing
   * name.
   *
   * @throws WireException {@code INVALID_USERNAME} with the rule as its message
   */
  public static String normalize(String raw) throws WireException {
    Objects.requireNonNull(raw, "raw");
    String trimmed = raw.trim();
    if (trimmed.length() < MIN_LENGTH || trimmed.length() > MAX_LENGTH) {
      throw new WireException(
          ErrorCode.INVALID_USERNAME,
          RULE.substring(0, RULE.length() - 1) + "; got " + trimmed.length() + " characters.");
    }
    for (int i = 0; i < trimmed.length(); i++) {
      if (trimmed.charAt(i) >= 0x80) {
        throw new WireException(ErrorCode.INVALID_USERNAME, RULE);
      }
    }
    String folded = trimmed.toLowerCase(Locale.ROOT);
    for (int i = 0; i < folded.length(); i++) {
      if (!allowed(folded.charAt(i))) {
        throw new WireException(ErrorCode.INVALID_USERNAME, RULE);
      }
    }
    return folded;
  }

  /** Whether {@code name} is already canonical: {@code normalize(name).equals(name)}. */
  public static boolean isCanonical(String name) {
    if (name == null || name.length() < MIN_LENGTH || name.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      if (!allowed(name.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean allowed(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  }
}
