package dev.sotto.server.data;

import java.io.IOException;
import java.nio.file.Path;

/** Another process (a running server, or an admin command) holds the data directory. */
public final class DataDirectoryLockedException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String holder;

  DataDirectoryLockedException(Path dir, String holder) {
    super(
        "the data directory "
            + dir
            + " is in use by "
            + (holder.isEmpty() ? "another process" : "process " + holder)
            + "; stop the server before running admin commands on it");
    this.holder = holder;
  }

  /** What the lock file says about the holder: its pid and role, or empty. */
  public String holder() {
    return holder;
  }
}
