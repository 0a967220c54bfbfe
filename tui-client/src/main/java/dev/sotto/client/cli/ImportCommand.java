package dev.sotto.client.cli;

import dev.sotto.client.core.ServerAddress;
import dev.sotto.client.core.Session;
import dev.sotto.client.core.messaging.Messenger;
import dev.sotto.client.core.messaging.MessengerConfig;
import dev.sotto.client.core.messaging.MessengerListener;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Properties;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sotto import FILE}. */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Install a local store written by 'sotto export' on this machine, then log in with it to"
          + " check the password opens it. Server and user come from the file unless given."
          + " Refuses if this machine already has a store for the account."
    })
final class ImportCommand extends AccountCommand {

  @Parameters(index = "0", paramLabel = "FILE")
  Path file;

  @Override
  int run() throws Exception {
    Properties p;
    try {
      p = StoreArchive.manifest(file);
    } catch (NoSuchFileException e) {
      throw new Failure(ExitCodes.LOCAL_IO, "The file " + file + " does not exist.");
    }
    ServerAddress server;
    try {
      server =
          connect.server != null ? connect.server : ServerAddress.parse(p.getProperty("server"));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new Failure(ExitCodes.USAGE, "The export names no valid server; give --server.");
    }
    String user =
        Session.normalizeUsername(connect.user != null ? connect.user : p.getProperty("user", ""));
    settleTrust(server);
    MessengerConfig config = messengerConfig(server).withReceiving(false);
    Path dir = Messenger.storeDir(config, user);
    if (Files.exists(dir)) {
      throw new Failure(
          ExitCodes.USAGE,
          "This machine already has a local store for "
              + user
              + " on "
              + server
              + " ("
              + dir
              + ").");
    }
    char[] password = accountPassword("Password", false);
    try {
      StoreArchive.extract(file, dir);
      try (Messenger m = Messenger.login(config, user, password, MessengerListener.NONE)) {
        remember(server, m.username());
        say("Imported the local store of " + m.username() + " on " + server + ".");
        return ExitCodes.OK;
      } catch (Exception e) {
        StoreArchive.deleteTree(dir);
        throw e;
      }
    } finally {
      Arrays.fill(password, '\0');
    }
  }
}
