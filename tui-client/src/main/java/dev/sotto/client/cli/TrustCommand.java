package dev.sotto.client.cli;

import dev.sotto.client.core.messaging.Messenger;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sotto trust USER}. */
@Command(
    name = "trust",
    mixinStandardHelpOptions = true,
    description = {
      "Accept USER's changed identity (after comparing the new safety number with 'sotto verify"
          + " USER'): sending to them is allowed again and their waiting messages are received."
    })
final class TrustCommand extends MessengerCommand {

  @Parameters(index = "0", paramLabel = "USER")
  String user;

  @Override
  int run(Messenger m) throws Exception {
    m.trust(user).get(30, TimeUnit.SECONDS);
    say("Trusted the current identity of " + user + ".");
    return ExitCodes.OK;
  }
}
