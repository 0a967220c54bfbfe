package dev.sotto.server.admin;

import dev.sotto.server.account.InviteCodes;
import java.io.PrintWriter;
import java.security.SecureRandom;
import picocli.CommandLine.Command;

/** {@code sotto-server invite create}. */
@Command(
    name = "invite",
    description = "Invite codes for --registration invite (the server must be stopped).",
    mixinStandardHelpOptions = true,
    subcommands = {InviteCommand.Create.class})
public final class InviteCommand {

  /** {@code invite create}: prints a fresh single-use code. */
  @Command(name = "create", description = "Make a single-use invite code and print it.")
  static final class Create extends AdminCommand {
    @Override
    boolean createsDataDirectory() {
      return true;
    }

    @Override
    int run(AdminSession session, PrintWriter out, PrintWriter err) {
      String code = InviteCodes.generate(new SecureRandom());
      session
          .accounts()
          .addInvite(InviteCodes.normalize(code).orElseThrow(), System.currentTimeMillis())
          .join();
      out.println(code);
      return 0;
    }
  }
}
