package dev.sotto.client.cli;

import dev.sotto.client.core.messaging.Messenger;
import dev.sotto.client.core.messaging.Presence;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sotto status online|away|dnd}. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Set your presence: online, away or dnd (do not disturb: the server holds messages instead"
          + " of pushing them). The server remembers the choice while it runs; others see you"
          + " offline whenever no client of yours is connected."
    })
final class StatusCommand extends MessengerCommand {

  @Parameters(index = "0", paramLabel = "online|away|dnd")
  String state;

  @Override
  int run(Messenger m) throws Exception {
    Presence p =
        switch (state.toLowerCase(Locale.ROOT)) {
          case "online" -> Presence.ONLINE;
          case "away" -> Presence.AWAY;
          case "dnd" -> Presence.DND;
          default -> throw new Failure(ExitCodes.USAGE, "The status is online, away or dnd.");
        };
    m.setPresence(p).get(30, TimeUnit.SECONDS);
    say("Status set to " + p.name().toLowerCase(Locale.ROOT) + ".");
    return ExitCodes.OK;
  }
}
