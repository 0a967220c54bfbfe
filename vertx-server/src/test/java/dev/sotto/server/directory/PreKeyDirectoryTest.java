package dev.sotto.server.directory;

import dev.sotto.server.testing.InMemoryStore;
import dev.sotto.store.Store;
import java.nio.file.Path;

class PreKeyDirectoryTest extends PreKeyDirectoryContract {
  @Override
  Store newStore(Path dir) {
    return new InMemoryStore();
  }
}
