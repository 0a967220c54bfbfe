package dev.sotto.store;

import static dev.sotto.store.JournaledStoreTest.b;
import static dev.sotto.store.JournaledStoreTest.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Torn tails, CRC errors, corrupt middles and garbage in the journal. */
class JournalRecoveryTest {
  private static final StoreOptions FAST =
      StoreOptions.builder().fsyncDisabledForTestsOnly(true).build();
  private static final int RECORDS = 5;

  @TempDir Path work;
  private byte[] journal;

  /** offsets.get(i) is where record i starts; the last entry is the file size. */
  private final List<Long> offsets = new ArrayList<>();

  @BeforeEach
  void writeJournal() throws IOException {
    Path dir = work.resolve("source");
    JournaledStore store = JournaledStore.open(dir, FAST);
    offsets.add(store.journalBytes());
    for (int i = 0; i < RECORDS; i++) {
      store.write(new Batch().put("m", b("k" + i), b("value-" + i))).join();
      offsets.add(store.journalBytes());
    }
    store.close();
    journal = Files.readAllBytes(dir.resolve(JournaledStore.JOURNAL));
    assertThat((long) journal.length).isEqualTo(offsets.get(RECORDS));
  }

  private Path dirWithJournal(String name, byte[] bytes) throws IOException {
    Path dir = work.resolve(name);
    Files.createDirectories(dir);
    Files.write(dir.resolve(JournaledStore.JOURNAL), bytes);
    return dir;
  }

  private static void assertPresent(JournaledStore store, int upTo) {
    for (int i = 0; i < RECORDS; i++) {
      if (i < upTo) {
        assertThat(store.get("m", b("k" + i))).map(JournaledStoreTest::s).contains("value-" + i);
      } else {
        assertThat(store.get("m", b("k" + i))).isEmpty();
      }
    }
  }

  @Test
  void tornTail_atEveryOffsetOfLastRecord_truncatedAndEarlierRecordsIntact() throws IOException {
    long lastStart = offsets.get(RECORDS - 1);
    for (long cut = lastStart; cut < journal.length; cut++) {
      Path dir = dirWithJournal("cut" + cut, Arrays.copyOf(journal, (int) cut));
      try (JournaledStore store = JournaledStore.open(dir, FAST)) {
        // Zeros that end the file are the writer's space filled ahead, not torn data.
        assertThat(store.recovery().truncatedBytes())
            .isEqualTo(cut - lastStart - trailingZeros(journal, lastStart, cut));
        assertPresent(store, RECORDS - 1);
      }
      assertThat(Files.size(dir.resolve(JournaledStore.JOURNAL))).isEqualTo(lastStart);
    }
  }

  @Test
  void crcMismatchInLastRecord_truncated() throws IOException {
    byte[] bad = journal.clone();
    bad[bad.length - 2] ^= 0x10;
    try (JournaledStore store = JournaledStore.open(dirWithJournal("crc", bad), FAST)) {
      assertThat(store.recovery().truncatedBytes())
          .isEqualTo(journal.length - offsets.get(RECORDS - 1));
      assertPresent(store, RECORDS - 1);
      store.write(new Batch().put("m", b("k4"), b("again"))).join();
      assertThat(store.get("m", b("k4"))).map(JournaledStoreTest::s).contains("again");
    }
  }

  @Test
  void corruptMiddleRecord_refusesToOpen_andLeavesJournalUntouched() throws IOException {
    byte[] bad = journal.clone();
    int inSecond = (int) (offsets.get(1) + 12);
    bad[inSecond] ^= 0x01;
    Path dir = dirWithJournal("middle", bad);
    assertThatThrownBy(() -> JournaledStore.open(dir, FAST))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("corrupt at offset " + offsets.get(1))
        .hasMessageContaining("CRC mismatch")
        .hasMessageContaining("valid records follow at offset " + offsets.get(2));
    assertThat(Files.readAllBytes(dir.resolve(JournaledStore.JOURNAL))).isEqualTo(bad);
    // the failed open released the lock: a repaired journal opens
    Files.write(dir.resolve(JournaledStore.JOURNAL), journal);
    try (JournaledStore store = JournaledStore.open(dir, FAST)) {
      assertPresent(store, RECORDS);
    }
  }

  @Test
  void corruptLengthFieldInMiddle_refusesToOpen() throws IOException {
    byte[] bad = journal.clone();
    int len = (int) (long) offsets.get(2);
    bad[len] = (byte) 0x7F; // a huge length
    Path dir = dirWithJournal("length", bad);
    assertThatThrownBy(() -> JournaledStore.open(dir, FAST))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("out of range")
        .hasMessageContaining("valid records follow");
  }

  @Test
  void garbageAppended_truncated() throws IOException {
    for (int seed = 0; seed < 20; seed++) {
      Random random = new Random(seed);
      byte[] garbage = new byte[1 + random.nextInt(3000)];
      if (seed % 4 != 0) {
        random.nextBytes(garbage);
      } // else zeros, as a file system may leave after a crash
      byte[] bytes = Arrays.copyOf(journal, journal.length + garbage.length);
      System.arraycopy(garbage, 0, bytes, journal.length, garbage.length);
      try (JournaledStore store =
          JournaledStore.open(dirWithJournal("garbage" + seed, bytes), FAST)) {
        assertThat(store.recovery().truncatedBytes())
            .isEqualTo(garbage.length - trailingZeros(garbage, 0, garbage.length));
        assertPresent(store, RECORDS);
      }
      assertThat(Files.size(work.resolve("garbage" + seed).resolve(JournaledStore.JOURNAL)))
          .isEqualTo(journal.length);
    }
  }

  private static long trailingZeros(byte[] bytes, long from, long to) {
    long n = 0;
    for (long i = to - 1; i >= from && bytes[(int) i] == 0; i--) {
      n++;
    }
    return n;
  }

  @Test
  void crashAfterAppends_leavesTheZerosWrittenAhead_openCutsThemWithoutCallingThemTorn()
      throws IOException {
    Path dir = work.resolve("ahead");
    JournaledStore store = JournaledStore.open(dir, FAST);
    store.write(new Batch().put("m", b("k"), b("v"))).join();
    long end = store.journalBytes();
    store.crashForTesting();
    long size = Files.size(dir.resolve(JournaledStore.JOURNAL));
    assertThat(size).isGreaterThanOrEqualTo(end + JournaledStore.PREALLOCATE_BYTES);
    long content;
    try (JournaledStore again = JournaledStore.open(dir, FAST)) {
      assertThat(again.recovery().truncatedBytes()).isZero();
      assertThat(again.get("m", b("k"))).map(JournaledStoreTest::s).contains("v");
      again.write(new Batch().put("m", b("k2"), b("v2"))).join();
      content = again.journalBytes();
      assertThat(Files.size(dir.resolve(JournaledStore.JOURNAL))).isGreaterThan(content);
    }
    // a clean close trims them
    assertThat(Files.size(dir.resolve(JournaledStore.JOURNAL))).isEqualTo(content);
    try (JournaledStore again = JournaledStore.open(dir, FAST)) {
      assertThat(again.get("m", b("k2"))).map(JournaledStoreTest::s).contains("v2");
    }
  }

  @Test
  void notAJournal_refusesToOpen() throws IOException {
    Path dir = dirWithJournal("magic", "hello, this is not a journal".getBytes());
    assertThatThrownBy(() -> JournaledStore.open(dir, FAST))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("not a Sotto journal");
  }

  @Test
  void emptyOrTornMagic_treatedAsEmptyJournal() throws IOException {
    for (int n = 0; n < JournalFile.MAGIC.length; n++) {
      try (JournaledStore store =
          JournaledStore.open(
              dirWithJournal("magic" + n, Arrays.copyOf(JournalFile.MAGIC, n)), FAST)) {
        assertThat(store.scan("m", new byte[0], 10)).isEmpty();
        store.write(new Batch().put("m", b("x"), b("y"))).join();
        assertThat(store.get("m", b("x"))).map(JournaledStoreTest::s).contains("y");
      }
    }
    assertThat(s(Arrays.copyOf(JournalFile.MAGIC, 5))).isEqualTo("SOTTO");
  }
}
