package dev.sotto.server.admin;

import dev.sotto.server.account.Account;
import dev.sotto.wire.Usernames;
import dev.sotto.wire.WireException;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sotto-server user list|disable|enable|delete}. */
@Command(
    name = "user",
    description = "List, disable, enable or delete accounts (the server must be stopped).",
    mixinStandardHelpOptions = true,
    subcommands = {
      UserCommand.ListUsers.class,
      UserCommand.Disable.class,
      UserCommand.Enable.class,
      UserCommand.Delete.class
    })
public final class UserCommand {

  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

  /** {@code user list}. */
  @Command(name = "list", description = "List accounts: name, status, creation time (UTC).")
  static final class ListUsers extends AdminCommand {
    @Override
    int run(AdminSession session, PrintWriter out, PrintWriter err) {
      List<Account> all = session.accounts().loadAll();
      all.sort(Comparator.comparing(Account::username));
      for (Account a : all) {
        out.printf(
            "%-32s %-8s %s%n",
            a.username(),
            a.disabled() ? "disabled" : "active",
            DATE.format(Instant.ofEpochMilli(a.createdAtMs())));
      }
      out.printf("%d account%s%n", all.size(), all.size() == 1 ? "" : "s");
      return 0;
    }
  }

  /** Base of the commands naming one user. */
  abstract static class OneUser extends AdminCommand {
    @Parameters(paramLabel = "NAME", description = "The username.")
    String name;

    @Override
    final int run(AdminSession session, PrintWriter out, PrintWriter err) {
      String username;
      try {
        username = Usernames.normalize(name);
      } catch (WireException e) {
        err.println("sotto-server: " + e.getMessage());
        return 1;
      }
      Optional<Account> account = session.accounts().find(username);
      if (account.isEmpty()) {
        err.println("sotto-server: no user named " + username);
        return 1;
      }
      return apply(session, account.get(), out);
    }

    abstract int apply(AdminSession session, Account account, PrintWriter out);
  }

  /** Sets or clears an account's disabled flag. */
  abstract static class SetDisabled extends OneUser {
    private final boolean disabled;

    SetDisabled(boolean disabled) {
      this.disabled = disabled;
    }

    @Override
    int apply(AdminSession session, Account account, PrintWriter out) {
      session.accounts().put(account.withDisabled(disabled)).join();
      out.println((disabled ? "disabled " : "enabled ") + account.username());
      return 0;
    }
  }

  /** {@code user disable NAME}. */
  @Command(name = "disable", description = "Refuse logins of an account (keeps its data).")
  static final class Disable extends SetDisabled {
    Disable() {
      super(true);
    }
  }

  /** {@code user enable NAME}. */
  @Command(name = "enable", description = "Allow logins of a disabled account again.")
  static final class Enable extends SetDisabled {
    Enable() {
      super(false);
    }
  }

  /** {@code user delete NAME}. */
  @Command(name = "delete", description = "Delete an account; its name can be registered again.")
  static final class Delete extends OneUser {
    @Override
    int apply(AdminSession session, Account account, PrintWriter out) {
      session.accounts().delete(account.username()).join();
      out.println("deleted " + account.username());
      return 0;
    }
  }
}
