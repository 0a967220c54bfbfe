package dev.sotto.server.mailbox;

import dev.sotto.server.testing.InMemoryStore;
import dev.sotto.store.Store;
import java.nio.file.Path;

class MailboxesTest extends MailboxesContract {
  @Override
  Store newStore(Path dir) {
    return new InMemoryStore();
  }
}
