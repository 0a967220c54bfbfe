package dev.sotto.client.cli;

import dev.sotto.client.core.messaging.Messenger;
import picocli.CommandLine.Command;

/**
 * {@code sotto login}: checks the credentials, opens (or, after a warning, creates) the local
 * store, tops up prekeys, and remembers server and user as the defaults.
 */
@Command(
    name = "login",
    mixinStandardHelpOptions = true,
    description = {
      "Log in to check the username and password, open the local store (or make a new identity"
          + " after a warning when this machine has none), and remember the server and user as the"
          + " defaults so later commands need no flags."
    })
final class LoginCommand extends MessengerCommand {

  @Override
  int run(Messenger m) throws Exception {
    remember(target.server(), m.username());
    say("Logged in as " + m.username() + " on " + target.server() + ".");
    return ExitCodes.OK;
  }
}
