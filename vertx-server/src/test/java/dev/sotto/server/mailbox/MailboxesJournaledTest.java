package dev.sotto.server.mailbox;

import dev.sotto.store.JournaledStore;
import dev.sotto.store.Store;
import dev.sotto.store.StoreOptions;
import java.nio.file.Path;

/** The mailbox contract on the real journaled store (fsync off for speed; see the marker test). */
class MailboxesJournaledTest extends MailboxesContract {
  @Override
  Store newStore(Path dir) {
    return JournaledStore.open(
        dir.resolve("store"), StoreOptions.builder().fsyncDisabledForTestsOnly(true).build());
  }
}
