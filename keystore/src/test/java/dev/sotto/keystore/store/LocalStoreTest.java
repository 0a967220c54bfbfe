package dev.sotto.keystore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sotto.keystore.ProtocolAddress;
import dev.sotto.keystore.identity.IdentityKey;
import dev.sotto.keystore.identity.IdentityKeyPair;
import dev.sotto.keystore.prekey.PreKeyBundle;
import dev.sotto.keystore.prekey.PreKeySet;
import dev.sotto.store.StoreOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStoreTest {
  static final StoreOptions FAST = StoreOptions.builder().fsyncDisabledForTestsOnly(true).build();

  private final SecureRandom random = new SecureRandom();
  private final byte[] aliceKey = key(1);
  private final byte[] bobKey = key(2);

  @TempDir Path tmp;

  static byte[] key(int seed) {
    byte[] k = new byte[32];
    new java.util.Random(seed).nextBytes(k);
    return k;
  }

  static byte[] id(int n) {
    byte[] b = new byte[16];
    b[0] = (byte) 0xA5;
    b[12] = (byte) (n >>> 24);
    b[13] = (byte) (n >>> 16);
    b[14] = (byte) (n >>> 8);
    b[15] = (byte) n;
    return b;
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private Peer alice() throws Exception {
    return Peer.openOrCreate(tmp.resolve("alice"), "alice", aliceKey, FAST, random);
  }

  private Peer bob() throws Exception {
    return Peer.openOrCreate(tmp.resolve("bob"), "bob", bobKey, FAST, random);
  }

  @Test
  void pending_sealedInOrderAndSharesTheOutboxSequence_survivesReopen() throws Exception {
    ProtocolAddress carol = new ProtocolAddress("carol", 1);
    try (Peer alice = alice()) {
      try (Transaction tx = alice.store.begin()) {
        tx.addPending(PendingEntry.Kind.SEND, carol, id(1), utf8("secret pending text"), 5);
        tx.addToOutbox(carol, id(2), utf8("ct"), 6);
        tx.addPending(PendingEntry.Kind.RECEIVE, carol, id(3), utf8("ciphertext"), 7);
        assertThat(tx.pending(10)).hasSize(2);
        tx.commit();
      }
      try (Transaction tx = alice.store.begin()) {
        tx.removePending(alice.store.pending(1).get(0).seq());
        tx.commit();
      }
    }
    try (Peer alice = alice()) {
      List<PendingEntry> left = alice.store.pending(10);
      assertThat(left).hasSize(1);
      PendingEntry e = left.get(0);
      assertThat(e.kind()).isEqualTo(PendingEntry.Kind.RECEIVE);
      assertThat(e.peer()).isEqualTo(carol);
      assertThat(e.messageId()).isEqualTo(id(3));
      assertThat(e.payload()).isEqualTo(utf8("ciphertext"));
      assertThat(e.seq()).isGreaterThan(alice.store.outbox(10).get(0).seq());
      assertThat(e.toString()).doesNotContain("ciphertext");
      assertThat(alice.store.verifyAllRecords()).isPositive();
    }
    byte[] onDisk = readAll(tmp.resolve("alice"));
    assertThat(new String(onDisk, StandardCharsets.ISO_8859_1)).doesNotContain("secret pending");
  }

  private static byte[] readAll(Path dir) throws java.io.IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (var files = java.nio.file.Files.walk(dir)) {
      for (Path f : files.filter(java.nio.file.Files::isRegularFile).toList()) {
        out.write(java.nio.file.Files.readAllBytes(f));
      }
    }
    return out.toByteArray();
  }

  @Test
  void createCloseOpen_everyRecordKind_roundTrips() throws Exception {
    IdentityKeyPair aliceIdentity;
    IdentityKey bobPublic;
    PreKeySet installed;
    Contact contact =
        new Contact("carol", TrustState.CHANGED, Optional.of(newIdentity().publicKey()), 42);
    try (Peer alice = alice();
        Peer bob = bob()) {
      aliceIdentity = alice.store.identity();
      bobPublic = bob.store.identity().publicKey();
      installed = PreKeySet.generate(bob.store.identity(), 3, 7, random);
      bob.store.installPreKeys(installed);
      // a session with a one-time prekey, so that its removal must persist too
      PreKeyBundle bundle =
          PreKeyBundle.of(
              1,
              bobPublic,
              installed.signedPreKey(),
              installed.oneTimePreKeys().get(0),
              installed.oneTimeKemPreKeys().get(0));
      try (Transaction tx = alice.store.begin()) {
        tx.sessionBuilder().process(bob.address, bundle);
        tx.putContact(contact);
        tx.commit();
      }
      alice.send(bob, id(1), utf8("hello bob"), 1000);
      alice.send(bob, id(2), utf8("second"), 1001);
      assertThat(bob.receive(alice, id(1), alice.store.outbox(10).get(0).ciphertext(), 1002))
          .isTrue();
      try (Transaction tx = alice.store.begin()) {
        tx.setMessageState(id(1), MessageState.DELIVERED);
        tx.commit();
      }
    }
    try (Peer alice = alice();
        Peer bob = bob()) {
      assertThat(alice.store.identity().serialize()).isEqualTo(aliceIdentity.serialize());
      assertThat(alice.store.pinnedIdentity(bob.address)).contains(bobPublic);
      assertThat(bob.store.pinnedIdentity(alice.address)).contains(aliceIdentity.publicKey());
      assertThat(alice.store.contact("carol")).contains(contact);
      assertThat(alice.store.contacts()).containsExactly(contact);
      List<OutboxEntry> outbox = alice.store.outbox(10);
      assertThat(outbox).extracting(OutboxEntry::seq).containsExactly(1L, 2L);
      assertThat(outbox.get(1).messageId()).isEqualTo(id(2));
      assertThat(alice.store.history("bob", Long.MAX_VALUE, 10))
          .extracting(HistoryEntry::content)
          .containsExactly(utf8("second"), utf8("hello bob"));
      assertThat(alice.store.messageState(id(1))).contains(MessageState.DELIVERED);
      assertThat(alice.store.messageState(id(2))).contains(MessageState.PENDING);
      assertThat(bob.store.messageState(id(1))).contains(MessageState.RECEIVED);
      assertThat(bob.store.conversation("alice").orElseThrow().unread()).isEqualTo(1);
      assertThat(alice.store.conversation("bob").orElseThrow().unread()).isZero();
      assertThat(bob.store.historyByMessageId(id(1)).orElseThrow().direction())
          .isEqualTo(Direction.INCOMING);
      try (Transaction tx = bob.store.begin()) {
        var ks = tx.keyStores();
        int usedOpk = installed.oneTimePreKeys().get(0).id();
        assertThat(ks.preKeys().loadPreKey(usedOpk)).isEmpty();
        // 2 installed by Peer.openOrCreate + 3 here - 1 used
        assertThat(ks.preKeys().countPreKeys()).isEqualTo(4);
        assertThat(ks.kemPreKeys().loadKemPreKey(installed.oneTimeKemPreKeys().get(0).id()))
            .isEmpty();
        assertThat(ks.kemPreKeys().loadKemPreKeys()).hasSize(3 + 4 - 1);
        assertThat(ks.signedPreKeys().loadSignedPreKey(installed.signedPreKey().id())).isPresent();
      }
      // the second message arrives after the restart; sessions continue both ways
      assertThat(bob.receive(alice, id(2), alice.store.outbox(10).get(1).ciphertext(), 1003))
          .isTrue();
      bob.send(alice, id(3), utf8("hi alice"), 1004);
      assertThat(bob.deliver(alice, 1005)).hasSize(1);
      assertThat(alice.store.historyByMessageId(id(3)).orElseThrow().content())
          .isEqualTo(utf8("hi alice"));
      assertThat(alice.store.verifyAllRecords()).isGreaterThan(10);
    }
  }

  @Test
  void open_wrongStoreKey_refusedWithSpecificException() throws Exception {
    alice().close();
    assertThatThrownBy(() -> LocalStore.open(tmp.resolve("alice"), key(99), FAST, random))
        .isInstanceOf(WrongStoreKeyException.class)
        .hasMessageContaining("wrong password for this local store");
    // the refused open released the directory
    alice().close();
  }

  @Test
  void open_missingDirectoryOrEmptyStore_noLocalStore() {
    assertThatThrownBy(() -> LocalStore.open(tmp.resolve("none"), aliceKey, FAST, random))
        .isInstanceOf(NoLocalStoreException.class);
    assertThatThrownBy(() -> LocalStore.open(tmp, aliceKey, FAST, random))
        .isInstanceOf(NoLocalStoreException.class);
  }

  @Test
  void create_overExistingStore_refused() throws Exception {
    IdentityKeyPair before;
    try (Peer a = alice()) {
      before = a.store.identity();
    }
    assertThatThrownBy(
            () -> LocalStore.create(tmp.resolve("alice"), aliceKey, newIdentity(), FAST, random))
        .isInstanceOf(LocalStoreException.class)
        .hasMessageContaining("already exists");
    try (Peer a = alice()) {
      assertThat(a.store.identity().serialize()).isEqualTo(before.serialize());
    }
  }

  @Test
  void open_whileOpen_refusedNamingTheHolder() throws Exception {
    try (Peer a = alice()) {
      assertThatThrownBy(() -> LocalStore.open(tmp.resolve("alice"), aliceKey, FAST, random))
          .isInstanceOf(StoreLockedException.class)
          .hasMessageContaining("in use by another Sotto client")
          .hasMessageContaining("LOCK");
      assertThat(a.store.identity()).isNotNull();
    }
  }

  @Test
  void transaction_closedWithoutCommit_changesNothing() throws Exception {
    try (Peer alice = alice();
        Peer bob = bob()) {
      alice.startSession(bob);
      alice.send(bob, id(1), utf8("one"), 1);
      byte[] sessionBefore;
      try (Transaction tx = alice.store.begin()) {
        sessionBefore =
            tx.keyStores().sessions().loadSession(bob.address).orElseThrow().serialize();
      }
      try (Transaction tx = alice.store.begin()) {
        tx.sessionCipher().encrypt(bob.address, utf8("never sent"));
        tx.appendHistory("bob", id(2), Direction.OUTGOING, "alice", 2, utf8("never sent"));
        tx.addToOutbox(bob.address, id(2), utf8("x"), 2);
        tx.putContact(new Contact("bob", TrustState.VERIFIED, Optional.empty(), 2));
        // seen inside the transaction
        assertThat(tx.historyByMessageId(id(2))).isPresent();
        assertThat(tx.outbox(10)).hasSize(2);
        // a crash here: the transaction never commits
      }
      assertThat(alice.store.historyByMessageId(id(2))).isEmpty();
      assertThat(alice.store.outbox(10)).hasSize(1);
      assertThat(alice.store.contact("bob")).isEmpty();
      assertThat(alice.store.conversation("bob").orElseThrow().lastSeq()).isEqualTo(1);
      try (Transaction tx = alice.store.begin()) {
        assertThat(tx.keyStores().sessions().loadSession(bob.address).orElseThrow().serialize())
            .isEqualTo(sessionBefore);
      }
      // the next message continues from the committed state and decrypts
      alice.send(bob, id(3), utf8("three"), 3);
      assertThat(alice.deliver(bob, 4)).hasSize(2);
      assertThat(bob.store.history("alice", Long.MAX_VALUE, 10))
          .extracting(HistoryEntry::content)
          .containsExactly(utf8("three"), utf8("one"));
    }
  }

  @Test
  void decrypt_failure_leavesTransactionUncommittedAndStateUnchanged() throws Exception {
    try (Peer alice = alice();
        Peer bob = bob()) {
      alice.startSession(bob);
      OutboxEntry e = alice.send(bob, id(1), utf8("one"), 1);
      byte[] bad = e.ciphertext();
      bad[bad.length - 1] ^= 1;
      assertThatThrownBy(() -> bob.receive(alice, id(1), bad, 2))
          .isInstanceOf(dev.sotto.keystore.InvalidMessageException.class);
      assertThat(bob.store.historyByMessageId(id(1))).isEmpty();
      assertThat(bob.store.conversation("alice")).isEmpty();
      assertThat(bob.receive(alice, id(1), e.ciphertext(), 3)).isTrue();
      assertThat(bob.receive(alice, id(1), e.ciphertext(), 4)).isFalse();
      assertThat(bob.store.conversation("alice").orElseThrow().unread()).isEqualTo(1);
    }
  }

  @Test
  void begin_twiceOnOneThread_refused() throws Exception {
    try (Peer a = alice();
        Transaction tx = a.store.begin()) {
      assertThatThrownBy(a.store::begin).isInstanceOf(IllegalStateException.class);
      tx.commit();
      assertThatThrownBy(
              () -> tx.putContact(new Contact("x", TrustState.FIRST_USE, Optional.empty(), 0)))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void changeStoreKey_rewrapsDataKeyOnly() throws Exception {
    byte[] newKey = key(77);
    IdentityKeyPair identity;
    try (Peer alice = alice();
        Peer bob = bob()) {
      identity = alice.store.identity();
      alice.startSession(bob);
      alice.send(bob, id(1), utf8("before"), 1);
      assertThatThrownBy(() -> alice.store.changeStoreKey(key(5), newKey))
          .isInstanceOf(WrongStoreKeyException.class);
      alice.store.changeStoreKey(aliceKey, newKey);
      alice.send(bob, id(2), utf8("after"), 2);
    }
    assertThatThrownBy(() -> LocalStore.open(tmp.resolve("alice"), aliceKey, FAST, random))
        .isInstanceOf(WrongStoreKeyException.class);
    try (LocalStore s = LocalStore.open(tmp.resolve("alice"), newKey, FAST, random)) {
      assertThat(s.identity().serialize()).isEqualTo(identity.serialize());
      assertThat(s.outbox(10)).hasSize(2);
      assertThat(s.verifyAllRecords()).isPositive();
    }
  }

  @Test
  void resetKeys_replacesIdentityAndPrekeysAtomically_keepsHistory() throws Exception {
    try (Peer alice = alice();
        Peer bob = bob()) {
      alice.startSession(bob);
      alice.send(bob, id(1), utf8("one"), 1);
      alice.deliver(bob, 2);
      IdentityKeyPair old = bob.store.identity();
      PreKeySet fresh = bob.store.resetKeys(3, 10);
      assertThat(bob.store.identity().publicKey()).isNotEqualTo(old.publicKey());
      assertThat(fresh.signedPreKey().signature()).isNotEmpty();
      try (Transaction tx = bob.store.begin()) {
        var ks = tx.keyStores();
        assertThat(ks.sessions().loadSession(alice.address)).isEmpty();
        assertThat(ks.preKeys().countPreKeys()).isEqualTo(3);
        assertThat(ks.signedPreKeys().loadSignedPreKeys())
            .extracting(r -> r.id())
            .containsExactly(fresh.signedPreKey().id());
        assertThat(ks.kemPreKeys().loadKemPreKeys()).hasSize(4);
      }
      assertThat(bob.store.historyByMessageId(id(1))).isPresent();
      // Alice, who pinned the old identity, refuses the new bundle until the user accepts it
      PreKeyBundle bundle = bob.bundle();
      try (Transaction tx = alice.store.begin()) {
        assertThatThrownBy(() -> tx.sessionBuilder().process(bob.address, bundle))
            .isInstanceOf(dev.sotto.keystore.UntrustedIdentityException.class);
      }
      try (Transaction tx = alice.store.begin()) {
        tx.pinIdentity(bob.address, bundle.identityKey());
        tx.sessionBuilder().process(bob.address, bundle);
        tx.commit();
      }
      alice.send(bob, id(2), utf8("again"), 3);
      assertThat(alice.deliver(bob, 4)).hasSize(1);
    }
  }

  @Test
  void history_pagesNewestFirstAcrossBuckets() throws Exception {
    try (Peer a = alice()) {
      int n = 700;
      for (int start = 1; start <= n; start += 100) {
        try (Transaction tx = a.store.begin()) {
          for (int i = start; i < start + 100; i++) {
            tx.appendHistory("room", id(i), Direction.INCOMING, "x", i, utf8("m" + i));
          }
          if (start == 601) {
            // reads inside a transaction see its own rows merged with committed ones
            assertThat(tx.conversation("room").orElseThrow().lastSeq()).isEqualTo(700);
          }
          tx.commit();
        }
      }
      List<HistoryEntry> newest = a.store.history("room", Long.MAX_VALUE, 5);
      assertThat(newest)
          .extracting(HistoryEntry::seq)
          .containsExactly(700L, 699L, 698L, 697L, 696L);
      List<HistoryEntry> page = a.store.history("room", 260, 10);
      assertThat(page)
          .extracting(HistoryEntry::seq)
          .containsExactly(259L, 258L, 257L, 256L, 255L, 254L, 253L, 252L, 251L, 250L);
      List<HistoryEntry> all = a.store.history("room", Long.MAX_VALUE, 10_000);
      assertThat(all).hasSize(n);
      for (int i = 0; i < n; i++) {
        assertThat(all.get(i).content()).isEqualTo(utf8("m" + (n - i)));
      }
      assertThat(a.store.history("room", 1, 10)).isEmpty();
      assertThat(a.store.history("other", Long.MAX_VALUE, 10)).isEmpty();
      assertThat(a.store.conversation("room").orElseThrow().unread()).isEqualTo(n);
      try (Transaction tx = a.store.begin()) {
        tx.markRead("room");
        tx.commit();
      }
      assertThat(a.store.conversation("room").orElseThrow().unread()).isZero();
      assertThat(a.store.conversations()).extracting(Conversation::name).containsExactly("room");
    }
  }

  @Test
  void appendHistory_duplicateMessageId_refused() throws Exception {
    try (Peer a = alice();
        Transaction tx = a.store.begin()) {
      tx.appendHistory("c", id(1), Direction.INCOMING, "x", 1, utf8("a"));
      assertThatThrownBy(() -> tx.appendHistory("c", id(1), Direction.INCOMING, "x", 1, utf8("a")))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  private IdentityKeyPair newIdentity() {
    return IdentityKeyPair.generate(random);
  }

  @SuppressWarnings("unused")
  private static ProtocolAddress address(String name) {
    return new ProtocolAddress(name, 1);
  }
}
