package dev.sotto.server.mailbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class MailboxSealerTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] MASTER = new byte[32];
  private static final byte[] ENTRY = {0, 0, 0, 0, 0, 0, 0, 7, 1};

  static {
    Arrays.fill(MASTER, (byte) 0x42);
  }

  @Test
  void hkdf_rfc5869TestCase1_matches() {
    byte[] ikm = HEX.parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
    byte[] salt = HEX.parseHex("000102030405060708090a0b0c");
    byte[] info = HEX.parseHex("f0f1f2f3f4f5f6f7f8f9");
    byte[] prk = Hkdf.extract(salt, ikm);
    assertThat(HEX.formatHex(prk))
        .isEqualTo("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
    assertThat(HEX.formatHex(Hkdf.expand(prk, info, 42)))
        .isEqualTo(
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  }

  @Test
  void open_sealedEntry_returnsPlaintext() throws Exception {
    MailboxSealer sealer = new MailboxSealer(MASTER);
    byte[] plain = "hello bob".getBytes(StandardCharsets.UTF_8);
    byte[] sealed = sealer.seal("bob", ENTRY, plain);
    assertThat(sealed).hasSize(plain.length + MailboxSealer.OVERHEAD);
    assertThat(sealer.open("bob", ENTRY, sealed)).isEqualTo(plain);
  }

  @Test
  void seal_sealedBytes_doNotContainPlaintextAndNoncesDiffer() {
    MailboxSealer sealer = new MailboxSealer(MASTER);
    byte[] plain = "MARKER-0123456789-MARKER".getBytes(StandardCharsets.UTF_8);
    byte[] a = sealer.seal("bob", ENTRY, plain);
    byte[] b = sealer.seal("bob", ENTRY, plain);
    assertThat(indexOf(a, plain)).isEqualTo(-1);
    assertThat(a).isNotEqualTo(b);
    assertThat(Arrays.copyOfRange(a, 1, 13)).isNotEqualTo(Arrays.copyOfRange(b, 1, 13));
  }

  @Test
  void open_anyByteFlipped_rejected() {
    MailboxSealer sealer = new MailboxSealer(MASTER);
    byte[] sealed = sealer.seal("bob", ENTRY, new byte[40]);
    for (int i = 0; i < sealed.length; i++) {
      byte[] bad = sealed.clone();
      bad[i] ^= 0x01;
      assertThatThrownBy(() -> sealer.open("bob", ENTRY, bad))
          .as("flipped byte %d", i)
          .isInstanceOf(CorruptEntryException.class);
    }
    assertThatThrownBy(() -> sealer.open("bob", ENTRY, Arrays.copyOf(sealed, 20)))
        .isInstanceOf(CorruptEntryException.class);
  }

  @Test
  void open_otherUsersKeyOrOtherEntry_rejected() {
    MailboxSealer sealer = new MailboxSealer(MASTER);
    byte[] sealed = sealer.seal("bob", ENTRY, new byte[40]);
    assertThatThrownBy(() -> sealer.open("carol", ENTRY, sealed))
        .isInstanceOf(CorruptEntryException.class);
    byte[] otherEntry = ENTRY.clone();
    otherEntry[7] = 8;
    assertThatThrownBy(() -> sealer.open("bob", otherEntry, sealed))
        .isInstanceOf(CorruptEntryException.class);
    byte[] otherMaster = MASTER.clone();
    otherMaster[0] ^= 1;
    assertThatThrownBy(() -> new MailboxSealer(otherMaster).open("bob", ENTRY, sealed))
        .isInstanceOf(CorruptEntryException.class);
  }

  @Test
  void keyFor_differentUsers_differentKeysAndRedactedToString() throws Exception {
    MailboxSealer sealer = new MailboxSealer(MASTER);
    byte[] sealed = sealer.keyFor("bob").seal(ENTRY, new byte[8]);
    assertThat(sealer.keyFor("bob").open(ENTRY, sealed)).hasSize(8);
    assertThat(sealer.keyFor("bob").toString()).doesNotContain("bob").contains("redacted");
  }

  @Test
  void keyFor_cachedPerUser_andStillRightAfterTheCacheOverflows() throws Exception {
    MailboxSealer sealer = new MailboxSealer(MASTER);
    MailboxSealer fresh = new MailboxSealer(MASTER);
    assertThat(sealer.keyFor("bob")).isSameAs(sealer.keyFor("bob"));
    byte[] sealed = sealer.keyFor("bob").seal(ENTRY, new byte[] {7});
    for (int i = 0; i <= MailboxSealer.MAX_CACHED_KEYS; i++) {
      sealer.keyFor("user" + i);
    }
    assertThat(sealer.keyFor("bob").open(ENTRY, sealed)).containsExactly(7);
    assertThat(fresh.open("bob", ENTRY, sealed)).containsExactly(7);
    assertThatThrownBy(() -> sealer.keyFor("carol").open(ENTRY, sealed))
        .isInstanceOf(CorruptEntryException.class);
    // the index key does not depend on which thread (and so which Mac instance) computes it
    MessageId id = MessageId.of(new byte[16]);
    byte[] here = sealer.indexKey("alice", id);
    byte[][] there = new byte[1][];
    Thread t = new Thread(() -> there[0] = sealer.indexKey("alice", id));
    t.start();
    t.join();
    assertThat(there[0]).isEqualTo(here).isEqualTo(fresh.indexKey("alice", id));
    assertThat(
            sealer.indexKey(
                "alice", MessageId.of(new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})))
        .isNotEqualTo(here);
  }

  @Test
  void constructor_shortMasterKey_rejected() {
    assertThatThrownBy(() -> new MailboxSealer(new byte[16]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("32-byte");
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
