package dev.sotto.client.cli;

import dev.sotto.client.core.messaging.Message;
import dev.sotto.client.core.messaging.Messenger;
import dev.sotto.client.core.messaging.Outgoing;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sotto send USER TEXT}: exits 0 only once the server has stored every message. */
@Command(
    name = "send",
    mixinStandardHelpOptions = true,
    description = {
      "Send a message to USER, end-to-end encrypted. Exits 0 only once the server has stored it"
          + " (one tick); prints each message's id. With --stdin every line of standard input is"
          + " one message, sent in order."
    })
final class SendCommand extends MessengerCommand {

  /** Lines read with --stdin, at most. */
  static final int MAX_LINES = 100_000;

  @Parameters(index = "0", paramLabel = "USER", description = "The recipient.")
  String to;

  @Parameters(
      index = "1..*",
      arity = "0..*",
      paramLabel = "TEXT",
      description = "The message (words are joined with spaces).")
  List<String> words = new ArrayList<>();

  @Option(names = "--stdin", description = "Read the messages from standard input, one per line.")
  boolean stdin;

  @Option(
      names = "--timeout",
      paramLabel = "S",
      defaultValue = "60",
      description = "Give up when the server has not stored the messages after S seconds (60).")
  int timeoutSeconds;

  @Override
  int run(Messenger m) throws Exception {
    List<String> texts = texts();
    List<Outgoing> sent = new ArrayList<>(texts.size());
    for (String text : texts) {
      sent.add(m.send(to, text));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(1, timeoutSeconds));
    for (Outgoing o : sent) {
      long left = deadline - System.nanoTime();
      try {
        Message stored = o.stored().get(Math.max(1, left), TimeUnit.NANOSECONDS);
        ctx().out().println(stored.id());
      } catch (TimeoutException e) {
        throw new Failure(
            ExitCodes.NETWORK,
            "The server did not store the message within "
                + timeoutSeconds
                + " s; if it was already encrypted it stays in the outbox and goes out at the"
                + " next start.");
      } catch (ExecutionException e) {
        ctx().out().flush();
        throw e;
      }
    }
    ctx().out().flush();
    return ExitCodes.OK;
  }

  private List<String> texts() throws Exception {
    if (stdin) {
      if (!words.isEmpty()) {
        throw new Failure(ExitCodes.USAGE, "Give the text as arguments or with --stdin, not both.");
      }
      List<String> lines = new ArrayList<>();
      BufferedReader r =
          new BufferedReader(new InputStreamReader(ctx().in(), StandardCharsets.UTF_8));
      String line;
      while ((line = r.readLine()) != null) {
        if (!line.isBlank()) {
          if (lines.size() == MAX_LINES) {
            throw new Failure(
                ExitCodes.USAGE, "At most " + MAX_LINES + " messages are read from --stdin.");
          }
          lines.add(line);
        }
      }
      if (lines.isEmpty()) {
        throw new Failure(ExitCodes.USAGE, "Standard input held no message.");
      }
      return lines;
    }
    String text = String.join(" ", words);
    if (text.isBlank()) {
      throw new Failure(ExitCodes.USAGE, "No message given: sotto send USER TEXT (or --stdin).");
    }
    return List.of(text);
  }
}
