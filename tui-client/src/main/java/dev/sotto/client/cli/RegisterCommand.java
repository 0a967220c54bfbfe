package dev.sotto.client.cli;

import dev.sotto.client.core.messaging.Messenger;
import dev.sotto.client.core.messaging.MessengerListener;
import java.util.Arrays;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sotto register}: creates an account and its local store (a new identity), uploads the
 * prekeys, and remembers server and user as the defaults.
 */
@Command(
    name = "register",
    mixinStandardHelpOptions = true,
    description = {
      "Create an account on a server (asks for the password twice), make its identity and local"
          + " store on this machine, and remember the server and user as the defaults."
    })
final class RegisterCommand extends AccountCommand {

  @Option(
      names = "--invite",
      paramLabel = "CODE",
      description = "Invite code, for a server that takes new accounts by invitation.")
  String invite;

  @Override
  int run() throws Exception {
    Target t = target();
    char[] password = accountPassword("New password", true);
    Messenger m;
    try {
      m =
          Messenger.register(
              messengerConfig(t.server()).withReceiving(false),
              t.user(),
              password,
              invite,
              MessengerListener.NONE);
    } finally {
      Arrays.fill(password, '\0');
    }
    try (m) {
      remember(t.server(), m.username());
      say("Registered " + m.username() + " on " + t.server() + ".");
      return ExitCodes.OK;
    }
  }
}
