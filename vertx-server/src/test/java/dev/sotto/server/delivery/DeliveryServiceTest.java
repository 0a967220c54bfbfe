package dev.sotto.server.delivery;

import dev.sotto.server.testing.InMemoryStore;
import dev.sotto.store.Store;
import java.nio.file.Path;

class DeliveryServiceTest extends DeliveryServiceContract {
  @Override
  Store newStore(Path dir) {
    return new InMemoryStore();
  }
}
