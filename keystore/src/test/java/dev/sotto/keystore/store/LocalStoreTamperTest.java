package dev.sotto.keystore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sotto.store.JournaledStore;
import dev.sotto.store.Store;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tampering with the stored bytes below the local store (through the raw {@link JournaledStore}, as
 * an attacker with the files or a broken disk would): every swapped, flipped or missing record is
 * refused with {@link CorruptedStoreException}, never returned.
 */
class LocalStoreTamperTest {
  private static final long SEED = System.nanoTime();
  private final SecureRandom random = new SecureRandom();
  private final byte[] storeKey = LocalStoreTest.key(1);

  @TempDir Path tmp;
  private Path dir;

  private record Raw(String map, byte[] key, byte[] value) {
    @Override
    public String toString() {
      return map + "/" + key.length + "-byte key";
    }
  }

  @BeforeEach
  void populate() throws Exception {
    dir = tmp.resolve("alice");
    try (Peer alice = Peer.openOrCreate(dir, "alice", storeKey, LocalStoreTest.FAST, random);
        Peer bob =
            Peer.openOrCreate(
                tmp.resolve("bob"), "bob", LocalStoreTest.key(2), LocalStoreTest.FAST, random)) {
      alice.startSession(bob);
      alice.send(bob, LocalStoreTest.id(1), LocalStoreTest.utf8("one"), 1);
      alice.deliver(bob, 2);
      bob.send(alice, LocalStoreTest.id(2), LocalStoreTest.utf8("two"), 3);
      bob.deliver(alice, 4);
      alice.send(bob, LocalStoreTest.id(3), LocalStoreTest.utf8("three"), 5);
      try (Transaction tx = alice.store.begin()) {
        tx.putContact(new Contact("bob", TrustState.VERIFIED, Optional.empty(), 6));
        tx.commit();
      }
    }
  }

  private List<Raw> rawRecords() {
    List<Raw> out = new ArrayList<>();
    try (JournaledStore js = JournaledStore.open(dir, LocalStoreTest.FAST)) {
      for (String map : RecordView.MAPS) {
        for (Store.Entry e : js.scan(map, new byte[0], Integer.MAX_VALUE)) {
          if (!(map.equals(RecordView.META) && Arrays.equals(e.key(), RecordView.HEADER_KEY))) {
            out.add(new Raw(map, e.key(), e.value()));
          }
        }
      }
    }
    return out;
  }

  private void putRaw(String map, byte[] key, byte[] value) {
    try (JournaledStore js = JournaledStore.open(dir, LocalStoreTest.FAST)) {
      js.write(
              value == null
                  ? new dev.sotto.store.Batch().delete(map, key)
                  : new dev.sotto.store.Batch().put(map, key, value))
          .join();
    }
  }

  /** Opens the store and reads every record; returns the exception, or null if all is well. */
  private LocalStoreException openAndReadAll() {
    try (LocalStore s = LocalStore.open(dir, storeKey, LocalStoreTest.FAST, random)) {
      s.verifyAllRecords();
      return null;
    } catch (LocalStoreException e) {
      return e;
    }
  }

  @Test
  void untouched_opensAndReadsEveryRecord() {
    assertThat(rawRecords()).hasSizeGreaterThan(15);
    assertThat(openAndReadAll()).isNull();
  }

  /** Restores {@code previous} (if any) and writes {@code value} at {@code target}, in one open. */
  private void replace(Raw previous, Raw target, byte[] value) {
    try (JournaledStore js = JournaledStore.open(dir, LocalStoreTest.FAST)) {
      dev.sotto.store.Batch b = new dev.sotto.store.Batch();
      if (previous != null) {
        b.put(previous.map(), previous.key(), previous.value());
      }
      js.write(b.put(target.map(), target.key(), value)).join();
    }
  }

  @Test
  void everyRecord_swappedWithAnothersCiphertext_refused() {
    List<Raw> all = rawRecords();
    Raw previous = null;
    for (int i = 0; i < all.size(); i++) {
      Raw target = all.get(i);
      Raw other = all.get((i + 1) % all.size());
      replace(previous, target, other.value());
      assertThat(openAndReadAll())
          .as("%s holding the ciphertext of %s", target, other)
          .isInstanceOf(CorruptedStoreException.class);
      previous = target;
    }
    putRaw(previous.map(), previous.key(), previous.value());
    assertThat(openAndReadAll()).isNull();
  }

  @Test
  void everyRecord_flippedByte_refused() {
    Random r = new Random(SEED);
    List<Raw> all = rawRecords();
    Raw previous = null;
    for (Raw target : all) {
      byte[] v = target.value().clone();
      int at = r.nextInt(v.length);
      v[at] ^= (byte) (1 << r.nextInt(8));
      replace(previous, target, v);
      assertThat(openAndReadAll())
          .as("%s with byte %d flipped (seed %d)", target, at, SEED)
          .isInstanceOf(CorruptedStoreException.class);
      previous = target;
    }
  }

  @Test
  void sessionRecord_versionNonceAndTagFlips_refused() {
    Raw session =
        rawRecords().stream().filter(x -> x.map().equals(RecordView.SESSION)).findFirst().get();
    int n = session.value().length;
    for (int at : new int[] {0, 1, 12, 13, n / 2, n - 16, n - 1}) {
      byte[] v = session.value().clone();
      v[at] ^= 0x01;
      putRaw(session.map(), session.key(), v);
      assertThat(openAndReadAll()).as("byte %d", at).isInstanceOf(CorruptedStoreException.class);
    }
    putRaw(session.map(), session.key(), Arrays.copyOf(session.value(), 20));
    assertThat(openAndReadAll()).isInstanceOf(CorruptedStoreException.class);
  }

  @Test
  void record_deleted_identityOrCounters_refusedAtOpen() {
    putRaw(RecordView.IDENTITY, RecordView.SELF_KEY, null);
    assertThat(openAndReadAll())
        .isInstanceOf(CorruptedStoreException.class)
        .hasMessageContaining("identity");
  }

  @Test
  void header_tampered_refused() throws Exception {
    byte[] header;
    try (JournaledStore js = JournaledStore.open(dir, LocalStoreTest.FAST)) {
      header = js.get(RecordView.META, RecordView.HEADER_KEY).orElseThrow();
    }
    // magic, version, store id, nonce, wrapped key: corrupted
    for (int at : new int[] {0, 8, 9, 41, 53, 100}) {
      byte[] h = header.clone();
      h[at] ^= 0x40;
      putRaw(RecordView.META, RecordView.HEADER_KEY, h);
      assertThat(openAndReadAll())
          .as("header byte %d", at)
          .isInstanceOfAny(CorruptedStoreException.class, WrongStoreKeyException.class);
    }
    byte[] h = header.clone();
    h[60] ^= 1; // inside the wrapped key: the check still matches, the tag does not
    putRaw(RecordView.META, RecordView.HEADER_KEY, h);
    assertThat(openAndReadAll())
        .isInstanceOf(CorruptedStoreException.class)
        .hasMessageContaining("header");
    putRaw(RecordView.META, RecordView.HEADER_KEY, Arrays.copyOf(header, 50));
    assertThat(openAndReadAll()).isInstanceOf(CorruptedStoreException.class);
    putRaw(RecordView.META, RecordView.HEADER_KEY, null);
    assertThat(openAndReadAll())
        .isInstanceOf(CorruptedStoreException.class)
        .hasMessageContaining("lost its header");
    putRaw(RecordView.META, RecordView.HEADER_KEY, header);
    assertThat(openAndReadAll()).isNull();
  }

  @Test
  void journal_tornTail_cutAndReported_restAuthentic() throws Exception {
    Path journal = dir.resolve("journal.log");
    long size = Files.size(journal);
    truncate(journal, size - 7);
    try (LocalStore s = LocalStore.open(dir, storeKey, LocalStoreTest.FAST, random)) {
      assertThat(s.recovery().truncatedBytes()).isPositive();
      assertThat(s.verifyAllRecords()).isPositive();
      // the last commit (the contact) was in the cut tail; everything before is there
      assertThat(s.contact("bob")).isEmpty();
      assertThat(s.historyByMessageId(LocalStoreTest.id(3))).isPresent();
    }
  }

  @Test
  void journal_truncatedToNothing_refusedAsCorrupted() throws Exception {
    truncate(dir.resolve("journal.log"), 3);
    assertThat(openAndReadAll())
        .isInstanceOf(CorruptedStoreException.class)
        .hasMessageContaining("lost its header");
  }

  /**
   * What LocalStoreKillIT met in its first cycle: a kill -9 during the very first open, while MapDB
   * made its files, left them unreadable; the next open rebuilt MapDB from the (empty) journal, and
   * the store was refused as having lost its header although none had ever been written.
   */
  @Test
  void killDuringFirstOpen_mapDbUnreadable_emptyJournal_noLocalStoreThenCreates() throws Exception {
    Path fresh = tmp.resolve("carol");
    JournaledStore.open(fresh, LocalStoreTest.FAST).close();
    Files.deleteIfExists(fresh.resolve("CLEAN"));
    Path state = fresh.resolve("state.db");
    byte[] garbage = new byte[(int) Files.size(state)];
    new Random(SEED).nextBytes(garbage); // unreadable, as a file MapDB was still making can be
    Files.write(state, garbage);

    assertThatThrownBy(() -> LocalStore.open(fresh, storeKey, LocalStoreTest.FAST, random))
        .isInstanceOf(NoLocalStoreException.class);
    try (Stream<Path> files = Files.list(fresh)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("the unreadable MapDB was moved aside and rebuilt")
          .anyMatch(n -> n.startsWith("state.db.broken-"));
    }
    try (Peer carol = Peer.openOrCreate(fresh, "carol", storeKey, LocalStoreTest.FAST, random)) {
      assertThat(carol.store.verifyAllRecords()).isPositive();
    }
    try (LocalStore reopened = LocalStore.open(fresh, storeKey, LocalStoreTest.FAST, random)) {
      assertThat(reopened.recovery().journalRecords()).isPositive();
    }
  }

  @Test
  void journal_corruptRecordInTheMiddle_refused() throws Exception {
    Path journal = dir.resolve("journal.log");
    byte[] b = Files.readAllBytes(journal);
    b[b.length / 3] ^= 0x10;
    Files.write(journal, b);
    assertThat(openAndReadAll()).isInstanceOf(CorruptedStoreException.class);
  }

  @Test
  void mapDbFile_truncated_rebuiltFromJournal_nothingLost() throws Exception {
    Path state = dir.resolve("state.db");
    truncate(state, Files.size(state) / 2);
    Files.deleteIfExists(dir.resolve("CLEAN"));
    try (LocalStore s = LocalStore.open(dir, storeKey, LocalStoreTest.FAST, random)) {
      assertThat(s.verifyAllRecords()).isPositive();
      assertThat(s.contact("bob")).isPresent();
      assertThat(s.history("bob", Long.MAX_VALUE, 10)).hasSize(3);
    }
  }

  @Test
  void open_wrongKey_beforeAndAfterTampering_sameClearMessage() {
    assertThatThrownBy(() -> LocalStore.open(dir, LocalStoreTest.key(3)))
        .isInstanceOf(WrongStoreKeyException.class)
        .hasMessage("wrong password for this local store (" + dir + ")");
  }

  private static void truncate(Path file, long size) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(size);
    }
  }
}
