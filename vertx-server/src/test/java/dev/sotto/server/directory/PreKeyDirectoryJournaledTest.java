package dev.sotto.server.directory;

import dev.sotto.store.JournaledStore;
import dev.sotto.store.Store;
import dev.sotto.store.StoreOptions;
import java.nio.file.Path;

/**
 * The directory contract on the real journaled store (fsync off: durability is the store's test).
 */
class PreKeyDirectoryJournaledTest extends PreKeyDirectoryContract {
  @Override
  Store newStore(Path dir) {
    return JournaledStore.open(
        dir.resolve("store"), StoreOptions.builder().fsyncDisabledForTestsOnly(true).build());
  }
}
