package dev.sotto.server.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sotto.store.JournaledStore;
import dev.sotto.store.StoreOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What lands on disk: envelopes written through {@link Mailboxes} are never there in the clear. */
class MailboxDataDirectoryTest {
  private static final String MARKER = "SOTTO-PLAINTEXT-MARKER-5d1c";
  private static final String SENDER = "quixotic-sender";

  @Test
  void dataDirectory_afterSendsAckAndCompaction_holdsNoMarkerNorSenderName(@TempDir Path dir)
      throws Exception {
    Path data = dir.resolve("data");
    MailboxSealer sealer = new MailboxSealer(new byte[32]);
    List<MessageId> ids = new ArrayList<>();
    try (JournaledStore store = JournaledStore.open(data, StoreOptions.defaults())) {
      Mailboxes mailboxes =
          Mailboxes.open(
                  store, sealer, BlockList.NONE, Clock.systemUTC(), Mailboxes.Limits.defaults())
              .get(10, TimeUnit.SECONDS);
      List<CompletableFuture<?>> fs = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        byte[] id = new byte[16];
        id[0] = (byte) i;
        id[15] = 7;
        ids.add(MessageId.of(id));
        fs.add(
            mailboxes.store(
                MailboxesContract.envelope(ids.get(i), SENDER, "bob", MARKER + " number " + i)));
      }
      for (CompletableFuture<?> f : fs) {
        f.get(10, TimeUnit.SECONDS);
      }
      mailboxes.ack("bob", ids.subList(0, 10)).get(10, TimeUnit.SECONDS);
      store.compact().get(10, TimeUnit.SECONDS);
      mailboxes
          .store(MailboxesContract.envelope(MessageId.of(new byte[16]), SENDER, "bob", MARKER))
          .get(10, TimeUnit.SECONDS);
    }

    byte[] marker = MARKER.getBytes(StandardCharsets.UTF_8);
    byte[] sender = SENDER.getBytes(StandardCharsets.UTF_8);
    List<Path> files;
    try (Stream<Path> walk = Files.walk(data)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    assertThat(files).isNotEmpty();
    long total = 0;
    for (Path f : files) {
      byte[] content = Files.readAllBytes(f);
      total += content.length;
      assertThat(MailboxSealerTest.indexOf(content, marker)).as("marker in %s", f).isEqualTo(-1);
      assertThat(MailboxSealerTest.indexOf(content, sender)).as("sender in %s", f).isEqualTo(-1);
    }
    assertThat(total).isGreaterThan(41L * MARKER.length());

    // The mail is there all the same: reopened, the 41 undelivered envelopes read back.
    try (JournaledStore store = JournaledStore.open(data, StoreOptions.defaults())) {
      Mailboxes mailboxes =
          Mailboxes.open(
                  store, sealer, BlockList.NONE, Clock.systemUTC(), Mailboxes.Limits.defaults())
              .get(10, TimeUnit.SECONDS);
      Mailboxes.BacklogPage page = mailboxes.backlog("bob", 100).get(10, TimeUnit.SECONDS);
      assertThat(page.entries()).hasSize(41);
      assertThat(page.entries())
          .allSatisfy(e -> assertThat(MailboxesContract.body(e)).startsWith(MARKER));
      assertThat(page.entries().get(0).envelope().sender().user()).isEqualTo(SENDER);
    }
  }
}
