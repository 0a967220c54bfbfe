package dev.sotto.client.cli;

import dev.sotto.client.core.messaging.Messenger;
import dev.sotto.client.core.messaging.SafetyNumberView;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sotto verify USER [--compare DIGITS]}. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Show the safety number with USER (12 groups of 5 digits). Compare it with theirs in person"
          + " or on a call; with --compare DIGITS (the number they read out) a match marks USER"
          + " verified and a difference exits with code 13."
    })
final class VerifyCommand extends MessengerCommand {

  @Parameters(index = "0", paramLabel = "USER")
  String user;

  @Option(
      names = "--compare",
      paramLabel = "DIGITS",
      description = "The 60 digits read out by USER.")
  String compare;

  @Override
  int run(Messenger m) throws Exception {
    if (compare == null) {
      SafetyNumberView v = m.safetyNumber(user).get(30, TimeUnit.SECONDS);
      say(
          "Safety number with "
              + v.user()
              + " ("
              + v.trust().name().toLowerCase(Locale.ROOT)
              + "):");
      say(v.number());
      return ExitCodes.OK;
    }
    if (m.verify(user, compare).get(30, TimeUnit.SECONDS)) {
      say("The safety numbers match: " + user + " is verified.");
      return ExitCodes.OK;
    }
    throw new Failure(
        ExitCodes.MISMATCH,
        "The safety numbers differ: this is not the identity "
            + user
            + " has, or someone is in the middle. Do not trust it.");
  }
}
