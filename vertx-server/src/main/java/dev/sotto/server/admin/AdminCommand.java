package dev.sotto.server.admin;

import dev.sotto.server.ServerMain;
import dev.sotto.store.StoreException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Shared plumbing of the admin subcommands: the data directory, output, exit codes. */
abstract class AdminCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description =
          "Data directory (default: $XDG_DATA_HOME/sotto-server or ~/.local/share/sotto-server).")
  Path data;

  /** Whether a missing data directory is created. */
  boolean createsDataDirectory() {
    return false;
  }

  /** The work, with the session open; returns the exit code. */
  abstract int run(AdminSession session, PrintWriter out, PrintWriter err) throws IOException;

  @Override
  public final Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path dir = ServerMain.dataDirectory(data != null ? data : inheritedData());
    try (AdminSession session = AdminSession.open(dir, createsDataDirectory())) {
      int code = run(session, out, err);
      out.flush();
      return code;
    } catch (IOException | StoreException e) {
      err.println("sotto-server: " + e.getMessage());
      err.flush();
      return 1;
    }
  }

  private Path inheritedData() {
    for (CommandSpec s = spec.parent(); s != null; s = s.parent()) {
      if (s.findOption("--data") != null && s.findOption("--data").getValue() != null) {
        return s.findOption("--data").getValue();
      }
    }
    return null;
  }
}
