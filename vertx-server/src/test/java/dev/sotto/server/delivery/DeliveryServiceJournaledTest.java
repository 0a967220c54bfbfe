package dev.sotto.server.delivery;

import dev.sotto.store.JournaledStore;
import dev.sotto.store.Store;
import dev.sotto.store.StoreOptions;
import java.nio.file.Path;

/** Delivery on the real journaled store (fsync off: durability is the store's own test). */
class DeliveryServiceJournaledTest extends DeliveryServiceContract {
  @Override
  Store newStore(Path dir) {
    return JournaledStore.open(
        dir.resolve("store"), StoreOptions.builder().fsyncDisabledForTestsOnly(true).build());
  }
}
