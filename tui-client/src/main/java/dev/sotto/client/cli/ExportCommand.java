package dev.sotto.client.cli;

import dev.sotto.client.core.messaging.Messenger;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sotto export FILE}. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {
      "Write the account's encrypted local store (identity, prekeys, sessions, contacts, history,"
          + " unread marks, outbox) to FILE, to 'sotto import' on another machine instead of"
          + " making a new identity there. Every record stays sealed under a key wrapped by your"
          + " password-derived store key; the file names the server and user in clear. Stop using"
          + " this machine for the account afterwards: two copies of one identity break sessions."
    })
final class ExportCommand extends MessengerCommand {

  @Parameters(index = "0", paramLabel = "FILE")
  Path file;

  @Override
  int run(Messenger m) throws Exception {
    if (Files.exists(file)) {
      throw new Failure(ExitCodes.USAGE, "The file " + file + " exists; give a new name.");
    }
    return ExitCodes.OK;
  }

  /** Copies the store once the messenger closed it cleanly (no recovery needed on import). */
  @Override
  void afterClose(Target t) throws Exception {
    Path dir = Messenger.storeDir(messengerConfig(t.server()), t.user());
    StoreArchive.write(dir, file, t.server().toString(), t.user());
    say("Exported the local store of " + t.user() + " to " + file + ".");
  }
}
