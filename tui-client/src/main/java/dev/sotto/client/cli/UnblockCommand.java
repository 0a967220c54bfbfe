package dev.sotto.client.cli;

import dev.sotto.client.core.messaging.Messenger;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sotto unblock USER}. */
@Command(
    name = "unblock",
    mixinStandardHelpOptions = true,
    description = {"Unblock USER."})
final class UnblockCommand extends MessengerCommand {

  @Parameters(index = "0", paramLabel = "USER")
  String user;

  @Override
  int run(Messenger m) throws Exception {
    m.unblock(user).get(30, TimeUnit.SECONDS);
    say("Unblocked " + user + ".");
    return ExitCodes.OK;
  }
}
