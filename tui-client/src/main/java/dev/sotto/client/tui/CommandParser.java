package dev.sotto.client.tui;

import dev.sotto.client.tui.model.Presence;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Parses an input line into a {@link Command}. Commands start with {@code !} or {@code /} and are
 * case-insensitive ({@code !LIST} = {@code /list}); a doubled prefix ({@code !!} or {@code //})
 * sends the rest as text. Usernames are checked against the account rule (3-32 of {@code
 * [a-z0-9._-]}, case-folded). Every mistake gives an {@link Command.Invalid} with a sentence, and
 * an unknown command suggests the closest known one. No terminal types here.
 */
final class CommandParser {

  /** Every command name with its usage, in help order. */
  static final List<String[]> COMMANDS =
      List.of(
          new String[] {"list", "!list", "all users with presence; arrows + Enter opens one"},
          new String[] {"talk", "!talk USER", "open the conversation with USER"},
          new String[] {"back", "!back", "focus the conversation list"},
          new String[] {"help", "!help", "this help (also F1)"},
          new String[] {"status", "!status online|away|dnd", "set your presence"},
          new String[] {"block", "!block [USER]", "block USER (default: this conversation)"},
          new String[] {"unblock", "!unblock [USER]", "unblock USER"},
          new String[] {"mute", "!mute", "no bell for this conversation"},
          new String[] {"unmute", "!unmute", "bell again for this conversation"},
          new String[] {"receipts", "!receipts on|off", "send read receipts or not"},
          new String[] {
            "search", "!search TEXT", "find TEXT here; again for older; no TEXT clears"
          },
          new String[] {"verify", "!verify USER [DIGITS]", "show or check the safety number"},
          new String[] {"trust", "!trust USER", "accept USER's new safety number"},
          new String[] {"resetkeys", "!resetkeys", "make a new identity (asks first)"},
          new String[] {"passwd", "!passwd", "change your password"},
          new String[] {"logout", "!logout", "log out, back to the start screen"},
          new String[] {"exit", "!exit", "quit (also Ctrl+C)"});

  private static final Pattern USERNAME = Pattern.compile("[a-z0-9._-]{3,32}");

  private CommandParser() {}

  /** Parses one submitted line. */
  static Command parse(String line) {
    if (line.isBlank()) {
      return new Command.Empty();
    }
    if (line.startsWith("!!") || line.startsWith("//")) {
      return new Command.Message(line.substring(1));
    }
    if (line.startsWith("@")) {
      return parseSendTo(line);
    }
    if (!line.startsWith("!") && !line.startsWith("/")) {
      return new Command.Message(line);
    }
    String body = line.substring(1).strip();
    int space = indexOfWhitespace(body);
    String name = (space < 0 ? body : body.substring(0, space)).toLowerCase(Locale.ROOT);
    String rest = space < 0 ? "" : body.substring(space).strip();
    List<String> args = rest.isEmpty() ? List.of() : List.of(rest.split("\\s+"));
    return switch (name) {
      case "list" -> noArgs(name, args, new Command.ListUsers());
      case "talk" ->
          oneUser(name, args).map(u -> (Command) new Command.Talk(u)).orElseGet(() -> usage(name));
      case "back" -> noArgs(name, args, new Command.Back());
      case "help" -> new Command.Help();
      case "status" -> status(args);
      case "block", "unblock" -> blockLike(name, args);
      case "mute" -> noArgs(name, args, new Command.Mute(true));
      case "unmute" -> noArgs(name, args, new Command.Mute(false));
      case "receipts" -> receipts(args);
      case "search" -> new Command.Search(rest);
      case "verify" -> verify(args);
      case "trust" ->
          oneUser(name, args).map(u -> (Command) new Command.Trust(u)).orElseGet(() -> usage(name));
      case "resetkeys" -> noArgs(name, args, new Command.ResetKeys());
      case "passwd" -> noArgs(name, args, new Command.Passwd());
      case "logout" -> noArgs(name, args, new Command.Logout());
      case "exit", "quit" -> noArgs(name, args, new Command.Exit());
      case "" -> new Command.Invalid("Type a command after the '!'; !help lists them all.");
      default -> unknown(name);
    };
  }

  /** Whether {@code s} is a valid username (already case-folded). */
  static boolean isUsername(String s) {
    return USERNAME.matcher(s).matches();
  }

  /** The known command names, for completion. */
  static List<String> names() {
    return COMMANDS.stream().map(c -> c[0]).toList();
  }

  private static Command parseSendTo(String line) {
    int space = indexOfWhitespace(line);
    String user =
        (space < 0 ? line.substring(1) : line.substring(1, space)).toLowerCase(Locale.ROOT);
    String text = space < 0 ? "" : line.substring(space + 1);
    if (!isUsername(user)) {
      return new Command.Invalid(
          "'@"
              + user
              + "' is not a username (3-32 of a-z 0-9 . _ -). To send text that starts"
              + " with @, type !!@...");
    }
    if (text.isBlank()) {
      return new Command.Invalid("Nothing to send: type @" + user + " followed by the message.");
    }
    return new Command.SendTo(user, text);
  }

  private static Command noArgs(String name, List<String> args, Command command) {
    return args.isEmpty()
        ? command
        : new Command.Invalid("!" + name + " takes no arguments. Usage: " + usageOf(name));
  }

  private static Optional<String> oneUser(String name, List<String> args) {
    if (args.size() != 1) {
      return Optional.empty();
    }
    String u = args.get(0).toLowerCase(Locale.ROOT);
    if (u.startsWith("@")) {
      u = u.substring(1);
    }
    return isUsername(u) ? Optional.of(u) : Optional.empty();
  }

  private static Command status(List<String> args) {
    if (args.size() == 1) {
      Optional<Presence> p = Presence.parseSelectable(args.get(0));
      if (p.isPresent()) {
        return new Command.Status(p.get());
      }
    }
    return usage("status");
  }

  private static Command blockLike(String name, List<String> args) {
    if (args.isEmpty()) {
      return name.equals("block")
          ? new Command.Block(Optional.empty())
          : new Command.Unblock(Optional.empty());
    }
    return oneUser(name, args)
        .map(
            u ->
                name.equals("block")
                    ? (Command) new Command.Block(Optional.of(u))
                    : new Command.Unblock(Optional.of(u)))
        .orElseGet(() -> usage(name));
  }

  private static Command receipts(List<String> args) {
    if (args.size() == 1) {
      switch (args.get(0).toLowerCase(Locale.ROOT)) {
        case "on":
          return new Command.Receipts(true);
        case "off":
          return new Command.Receipts(false);
        default:
          break;
      }
    }
    return usage("receipts");
  }

  private static Command verify(List<String> args) {
    if (args.isEmpty()) {
      return usage("verify");
    }
    Optional<String> user = oneUser("verify", args.subList(0, 1));
    if (user.isEmpty()) {
      return usage("verify");
    }
    if (args.size() == 1) {
      return new Command.Verify(user.get(), Optional.empty());
    }
    String digits = String.join("", args.subList(1, args.size()));
    if (!digits.matches("[0-9]{60}")) {
      return new Command.Invalid(
          "A safety number has 60 digits (12 groups of 5); got "
              + digits.replaceAll("[^0-9]", "").length()
              + " digits"
              + (digits.matches("[0-9]*") ? "." : " and other characters."));
    }
    return new Command.Verify(user.get(), Optional.of(digits));
  }

  private static Command usage(String name) {
    return new Command.Invalid("Usage: " + usageOf(name));
  }

  static String usageOf(String name) {
    for (String[] c : COMMANDS) {
      if (c[0].equals(name)) {
        return c[1];
      }
    }
    return "!" + name;
  }

  private static Command unknown(String name) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : names()) {
      int d = candidate.startsWith(name) ? 0 : distance(name, candidate);
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    String shown = name.length() > 20 ? name.substring(0, 20) + "..." : name;
    if (best != null && bestDistance <= Math.max(2, name.length() / 3)) {
      return new Command.Invalid(
          "Unknown command !" + shown + ". Did you mean !" + best + "? !help lists all commands.");
    }
    return new Command.Invalid("Unknown command !" + shown + ". !help lists all commands.");
  }

  /** Levenshtein distance, bounded input (names are short; the typed one is cut at 64). */
  static int distance(String a, String b) {
    String s = a.length() > 64 ? a.substring(0, 64) : a;
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= s.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = s.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static int indexOfWhitespace(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isWhitespace(s.charAt(i))) {
        return i;
      }
    }
    return -1;
  }
}
