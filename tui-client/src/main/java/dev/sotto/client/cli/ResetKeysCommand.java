package dev.sotto.client.cli;

import dev.sotto.client.core.messaging.Messenger;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sotto resetkeys}. */
@Command(
    name = "resetkeys",
    mixinStandardHelpOptions = true,
    description = {
      "Make a new identity and new prekeys (for example after a device was exposed). History and"
          + " contacts are kept; every contact will see a changed safety number."
    })
final class ResetKeysCommand extends MessengerCommand {

  @Option(names = "--yes", description = "Do not ask for confirmation.")
  boolean yes;

  @Override
  int run(Messenger m) throws Exception {
    if (!yes && !confirm("Make a new identity? Every contact will see a changed safety number.")) {
      throw new Failure(ExitCodes.USAGE, "Not confirmed; nothing changed (use --yes in scripts).");
    }
    m.resetKeys().get(60, TimeUnit.SECONDS);
    say("Made a new identity for " + m.username() + ".");
    return ExitCodes.OK;
  }
}
