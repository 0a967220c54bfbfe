package dev.sotto.server.account;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.Optional;

/**
 * Single-use invite codes: 80 random bits written as 16 characters of Crockford's base32 in four
 * groups ({@code 7k2m-q9xd-4hvb-0t8r}). Input is forgiving: case, dashes and spaces are ignored,
 * and {@code o}, {@code i}, {@code l} read as {@code 0}, {@code 1}, {@code 1}.
 */
public final class InviteCodes {

  private static final String ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
  private static final int CHARS = 16;
  private static final int MAX_INPUT = 64;

  private InviteCodes() {}

  /** A fresh code, formatted for people. */
  public static String generate(SecureRandom random) {
    StringBuilder out = new StringBuilder(CHARS + 3);
    for (int i = 0; i < CHARS; i++) {
      if (i > 0 && i % 4 == 0) {
        out.append('-');
      }
      out.append(ALPHABET.charAt(random.nextInt(32)));
    }
    return out.toString();
  }

  /**
   * The canonical form (16 lower-case characters, no dashes) that is stored and compared, or empty
   * when {@code input} cannot be a code.
   */
  public static Optional<String> normalize(String input) {
    if (input == null || input.length() > MAX_INPUT) {
      return Optional.empty();
    }
    StringBuilder out = new StringBuilder(CHARS);
    for (char c : input.toLowerCase(Locale.ROOT).toCharArray()) {
      if (c == '-' || c == ' ') {
        continue;
      }
      char mapped =
          switch (c) {
            case 'o' -> '0';
            case 'i', 'l' -> '1';
            default -> c;
          };
      if (ALPHABET.indexOf(mapped) < 0) {
        return Optional.empty();
      }
      out.append(mapped);
    }
    return out.length() == CHARS ? Optional.of(out.toString()) : Optional.empty();
  }
}
