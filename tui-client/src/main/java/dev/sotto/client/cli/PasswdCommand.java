package dev.sotto.client.cli;

import dev.sotto.client.core.CertificateChangedException;
import dev.sotto.client.core.ClientSettings;
import dev.sotto.client.core.InvalidInputException;
import dev.sotto.client.core.ServerAddress;
import dev.sotto.client.core.ServerException;
import dev.sotto.client.core.Session;
import dev.sotto.client.core.UntrustedServerException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sotto passwd}: changes the account's password. */
@Command(
    name = "passwd",
    mixinStandardHelpOptions = true,
    description = {
      "Change the password (asks for the current one, then the new one twice). Both keys derived"
          + " from the password change; the server never sees either password."
    })
final class PasswdCommand extends AccountCommand {

  @Option(
      names = "--new-password-file",
      paramLabel = "FILE",
      description =
          "Read the new password from the first line of FILE (or set SOTTO_NEW_PASSWORD).")
  Path newPasswordFile;

  @Override
  int run()
      throws Failure,
          InvalidInputException,
          ServerException,
          CertificateChangedException,
          UntrustedServerException,
          IOException,
          InterruptedException {
    ClientSettings settings = settings();
    ServerAddress server = server(settings);
    String name = Session.normalizeUsername(user(settings));
    settleTrust(server);
    char[] oldPassword =
        password(connect.passwordFile, "SOTTO_PASSWORD", "Current password", false);
    char[] newPassword = null;
    try {
      Session.checkPassword(oldPassword);
      newPassword = password(newPasswordFile, "SOTTO_NEW_PASSWORD", "New password", true);
      Session.checkPassword(newPassword);
      try (Session session = open(server)) {
        session.login(name, oldPassword).keys().destroy();
        session.changePassword(oldPassword, newPassword).destroy();
        ctx().out().println("Changed the password of " + name + " on " + server + ".");
        ctx().out().flush();
        return ExitCodes.OK;
      }
    } finally {
      Arrays.fill(oldPassword, '\0');
      if (newPassword != null) {
        Arrays.fill(newPassword, '\0');
      }
    }
  }
}
