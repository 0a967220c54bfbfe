package dev.sotto.client.cli;

import dev.sotto.client.core.CertificateChangedException;
import dev.sotto.client.core.ClientSettings;
import dev.sotto.client.core.InvalidInputException;
import dev.sotto.client.core.LoggedIn;
import dev.sotto.client.core.ServerAddress;
import dev.sotto.client.core.ServerException;
import dev.sotto.client.core.Session;
import dev.sotto.client.core.UntrustedServerException;
import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sotto register}: creates an account and remembers it as the default. */
@Command(
    name = "register",
    mixinStandardHelpOptions = true,
    description = {
      "Create an account on a server (asks for the password twice) and remember the server and"
          + " user as the defaults."
    })
final class RegisterCommand extends AccountCommand {

  @Option(
      names = "--invite",
      paramLabel = "CODE",
      description = "Invite code, for a server that takes new accounts by invitation.")
  String invite;

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
    char[] password = password(connect.passwordFile, "SOTTO_PASSWORD", "New password", true);
    try {
      Session.checkPassword(password);
      try (Session session = open(server)) {
        LoggedIn in = session.register(name, password, invite);
        in.keys().destroy();
        new ClientSettings(Optional.of(server), Optional.of(in.username()))
            .save(paths().settingsFile());
        ctx().out().println("Registered " + in.username() + " on " + server + ".");
        ctx().out().flush();
        return ExitCodes.OK;
      }
    } finally {
      Arrays.fill(password, '\0');
    }
  }
}
