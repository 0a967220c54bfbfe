package dev.sotto.keystore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sotto.keystore.DuplicateMessageException;
import dev.sotto.keystore.InvalidMessageException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replay cache persisted in a {@link LocalStore} stays within its bound, across a reopen. */
class LocalStoreReplayCacheTest {
  private static final int CAPACITY = 6;

  private final SecureRandom random = new SecureRandom();
  @TempDir Path tmp;

  private Peer open(String name, int seed) throws Exception {
    return Peer.openOrCreate(
        tmp.resolve(name), name, LocalStoreTest.key(seed), LocalStoreTest.FAST, random);
  }

  private static int persistedEntries(Peer p) throws Exception {
    return p.store.keys(RecordView.REPLAY).size();
  }

  @Test
  void decryptAndCommit_floodOfDistinctFirstMessages_persistedCacheBoundedAndReplaysRejected()
      throws Exception {
    List<byte[]> accepted = new ArrayList<>();
    int n = 0;
    try (Peer alice = open("alice", 1);
        Peer bob = open("bob", 2)) {
      bob.store.replayCacheCapacityForTests(CAPACITY);
      for (int i = 0; i < 3 * CAPACITY; i++) {
        alice.startSession(bob); // signed prekey + last-resort KEM: no one-time key
        OutboxEntry e = alice.send(bob, LocalStoreTest.id(++n), LocalStoreTest.utf8("m" + i), i);
        alice.store.markSent(e);
        if (i < CAPACITY) {
          assertThat(bob.receive(alice, e.messageId(), e.ciphertext(), i)).isTrue();
          accepted.add(e.ciphertext());
        } else {
          assertThatThrownBy(() -> bob.receive(alice, e.messageId(), e.ciphertext(), 0))
              .isInstanceOf(InvalidMessageException.class)
              .hasMessageContaining("replay cache is full");
        }
        assertThat(persistedEntries(bob)).isLessThanOrEqualTo(CAPACITY);
      }
      assertThat(persistedEntries(bob)).isEqualTo(CAPACITY);
    }
    try (Peer alice = open("alice", 1);
        Peer bob = open("bob", 2)) {
      assertThat(persistedEntries(bob)).as("after a reopen").isEqualTo(CAPACITY);
      bob.store.verifyAllRecords();
      for (byte[] c : accepted) {
        try (Transaction tx = bob.store.begin()) {
          tx.keyStores().sessions().deleteSession(alice.address);
          assertThatThrownBy(() -> tx.sessionCipher().decrypt(alice.address, c))
              .as("replay while its signed prekey is live, with no session to recognise it")
              .isInstanceOf(DuplicateMessageException.class);
        }
      }
    }
  }
}
