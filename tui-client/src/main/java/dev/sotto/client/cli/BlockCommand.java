package dev.sotto.client.cli;

import dev.sotto.client.core.messaging.Messenger;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sotto block USER}. */
@Command(
    name = "block",
    mixinStandardHelpOptions = true,
    description = {
      "Block USER: the server drops their messages to you (they see them stored, never delivered)."
    })
final class BlockCommand extends MessengerCommand {

  @Parameters(index = "0", paramLabel = "USER")
  String user;

  @Override
  int run(Messenger m) throws Exception {
    m.block(user).get(30, TimeUnit.SECONDS);
    say("Blocked " + user + ".");
    return ExitCodes.OK;
  }
}
