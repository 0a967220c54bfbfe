package dev.sotto.server.admin;

import dev.sotto.server.account.AccountStore;
import dev.sotto.server.data.DataDirectory;
import dev.sotto.store.JournaledStore;
import dev.sotto.store.Store;
import dev.sotto.store.StoreOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An admin command's hold on a data directory: its lock (so the server cannot start meanwhile, and
 * the command refuses while the server runs) and its store.
 */
final class AdminSession implements AutoCloseable {

  private final DataDirectory.Lock lock;
  private final Store store;
  private final AccountStore accounts;

  private AdminSession(DataDirectory.Lock lock, Store store) {
    this.lock = lock;
    this.store = store;
    this.accounts = new AccountStore(store);
  }

  /**
   * Opens {@code dir}.
   *
   * @param create whether a missing directory is made (else it is an error)
   * @throws IOException when the directory is missing, or held by a running server ({@link
   *     dev.sotto.server.data.DataDirectoryLockedException})
   */
  static AdminSession open(Path dir, boolean create) throws IOException {
    if (!create && !Files.isDirectory(dir)) {
      throw new IOException("no data directory at " + dir + " (use --data DIR)");
    }
    DataDirectory data = DataDirectory.open(dir);
    DataDirectory.Lock lock = data.lock("admin");
    try {
      return new AdminSession(lock, JournaledStore.open(data.store(), StoreOptions.defaults()));
    } catch (RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  AccountStore accounts() {
    return accounts;
  }

  @Override
  public void close() throws IOException {
    try {
      store.close();
    } finally {
      lock.close();
    }
  }
}
