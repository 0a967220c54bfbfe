package dev.sotto.client.cli;

import dev.sotto.client.core.Session;
import dev.sotto.client.core.messaging.Messenger;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sotto passwd}: changes the account's password and re-wraps the local store's key. */
@Command(
    name = "passwd",
    mixinStandardHelpOptions = true,
    description = {
      "Change the password (asks for the current one, then the new one twice). Both keys derived"
          + " from the password change, and the local store is re-keyed; the server never sees"
          + " either password."
    })
final class PasswdCommand extends MessengerCommand {

  @Option(
      names = "--new-password-file",
      paramLabel = "FILE",
      description =
          "Read the new password from the first line of FILE (or set SOTTO_NEW_PASSWORD).")
  Path newPasswordFile;

  @Override
  String passwordPrompt() {
    return "Current password";
  }

  @Override
  boolean keepsPassword() {
    return true;
  }

  @Override
  int run(Messenger m) throws Exception {
    char[] newPassword = password(newPasswordFile, "SOTTO_NEW_PASSWORD", "New password", true);
    char[] oldPassword = loginPassword;
    try {
      Session.checkPassword(newPassword);
      m.changePassword(oldPassword, newPassword).get(60, TimeUnit.SECONDS);
      say("Changed the password of " + m.username() + " on " + target.server() + ".");
      return ExitCodes.OK;
    } finally {
      Arrays.fill(newPassword, '\0');
    }
  }
}
