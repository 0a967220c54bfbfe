package dev.sotto.client.cli;

import dev.sotto.client.core.messaging.Message;
import dev.sotto.client.core.messaging.Messenger;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sotto history USER}: the conversation from the local store, oldest first. */
@Command(
    name = "history",
    mixinStandardHelpOptions = true,
    description = {
      "Print the conversation with USER from the local store, oldest first: time, sender, text,"
          + " and for your own messages their state (sending, stored, delivered, read, failed)."
    })
final class HistoryCommand extends MessengerCommand {

  @Parameters(index = "0", paramLabel = "USER")
  String user;

  @Option(
      names = {"-n", "--limit"},
      paramLabel = "N",
      defaultValue = "50",
      description = "The newest N messages (50; at most 10000).")
  int limit;

  @Override
  int run(Messenger m) throws Exception {
    if (limit < 1 || limit > 10_000) {
      throw new Failure(ExitCodes.USAGE, "--limit must be 1 to 10000.");
    }
    for (Message msg : m.history(user, Long.MAX_VALUE, limit)) {
      String line = "[" + msg.sentAt() + "] " + msg.sender() + ": " + ReceiveCommand.body(msg);
      if (!msg.incoming()) {
        line += "  (" + msg.state().name().toLowerCase(Locale.ROOT) + ")";
      }
      ctx().out().println(line);
    }
    ctx().out().flush();
    return ExitCodes.OK;
  }
}
