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

/** {@code sotto login}: checks the credentials and remembers them as the default. */
@Command(
    name = "login",
    mixinStandardHelpOptions = true,
    description = {
      "Log in to check the username and password, and remember the server and user as the"
          + " defaults so later commands need no flags."
    })
final class LoginCommand extends AccountCommand {

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
    char[] password = password(connect.passwordFile, "SOTTO_PASSWORD", "Password", false);
    try {
      Session.checkPassword(password);
      try (Session session = open(server)) {
        LoggedIn in = session.login(name, password);
        in.keys().destroy();
        new ClientSettings(Optional.of(server), Optional.of(in.username()))
            .save(paths().settingsFile());
        ctx().out().println("Logged in as " + in.username() + " on " + server + ".");
        ctx().out().flush();
        return ExitCodes.OK;
      }
    } finally {
      Arrays.fill(password, '\0');
    }
  }
}
