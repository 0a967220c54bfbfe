package dev.sotto.keystore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sotto.keystore.fingerprint.SafetyNumber;
import dev.sotto.keystore.pqxdh.PreKeyMessage;
import dev.sotto.keystore.ratchet.SessionRecord;
import dev.sotto.keystore.ratchet.SessionState;
import dev.sotto.keystore.state.InMemoryReplayCacheStore;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SessionCipherTest {
  private final SecureRandom random = new SecureRandom();
  private Party alice;
  private Party bob;

  @BeforeEach
  void setUp() {
    alice = new Party("alice", random, 3);
    bob = new Party("bob", random, 3);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Alice starts, Bob answers: both sides have a confirmed session. */
  private void converse() throws Exception {
    alice.startSessionWith(bob);
    byte[] first = alice.cipher.encrypt(bob.address, utf8("hi bob"));
    assertThat(bob.cipher.decrypt(alice.address, first)).isEqualTo(utf8("hi bob"));
    byte[] reply = bob.cipher.encrypt(alice.address, utf8("hi alice"));
    assertThat(alice.cipher.decrypt(bob.address, reply)).isEqualTo(utf8("hi alice"));
  }

  @Test
  void encryptDecrypt_bothDirections_roundTrip() throws Exception {
    alice.startSessionWith(bob);
    byte[] m1 = alice.cipher.encrypt(bob.address, utf8("one"));
    byte[] m2 = alice.cipher.encrypt(bob.address, utf8("two"));
    assertThat(m1[0]).isEqualTo((byte) PreKeyMessage.TYPE);
    assertThat(m2[0]).isEqualTo((byte) PreKeyMessage.TYPE);
    assertThat(bob.cipher.decrypt(alice.address, m2)).isEqualTo(utf8("two"));
    assertThat(bob.cipher.decrypt(alice.address, m1)).isEqualTo(utf8("one"));
    byte[] r = bob.cipher.encrypt(alice.address, utf8("back"));
    assertThat(r[0]).isEqualTo((byte) 0x01);
    assertThat(alice.cipher.decrypt(bob.address, r)).isEqualTo(utf8("back"));
    byte[] m3 = alice.cipher.encrypt(bob.address, new byte[0]);
    assertThat(m3[0]).as("after an answer, plain ratchet messages").isEqualTo((byte) 0x01);
    assertThat(bob.cipher.decrypt(alice.address, m3)).isEmpty();
    assertThat(bob.stores.identity().pinnedIdentity(alice.address))
        .contains(alice.stores.identity().identityKeyPair().publicKey());
  }

  @Test
  void encrypt_sizes_fallInPaddingBuckets() throws Exception {
    converse();
    int a = alice.cipher.encrypt(bob.address, new byte[1]).length;
    int b = alice.cipher.encrypt(bob.address, new byte[159]).length;
    int c = alice.cipher.encrypt(bob.address, new byte[160]).length;
    assertThat(a).isEqualTo(b).isEqualTo(41 + 160 + 16);
    assertThat(c).isEqualTo(41 + 320 + 16);
  }

  @Test
  void decrypt_replayedRatchetMessage_duplicateAndStateUnchanged() throws Exception {
    converse();
    byte[] m = alice.cipher.encrypt(bob.address, utf8("once"));
    bob.cipher.decrypt(alice.address, m);
    byte[] before = bob.sessionBytes(alice.address);
    assertThatThrownBy(() -> bob.cipher.decrypt(alice.address, m))
        .isInstanceOf(DuplicateMessageException.class);
    assertThat(bob.sessionBytes(alice.address)).isEqualTo(before);
  }

  @Test
  void decrypt_firstMessageReplayedAfterOneTimePrekeysGone_refusedByReplayCache() throws Exception {
    alice.builder.process(bob.address, bob.lastResortBundle());
    byte[] first = alice.cipher.encrypt(bob.address, utf8("first"));
    assertThat(bob.cipher.decrypt(alice.address, first)).isEqualTo(utf8("first"));
    assertThat(bob.replayCacheSize()).isEqualTo(1);

    assertThatThrownBy(() -> bob.cipher.decrypt(alice.address, first))
        .as("replay into the live session")
        .isInstanceOf(DuplicateMessageException.class);

    bob.stores.sessions().deleteSession(alice.address);
    assertThatThrownBy(() -> bob.cipher.decrypt(alice.address, first))
        .as("replay after the session is gone: only the replay cache stops it")
        .isInstanceOf(DuplicateMessageException.class);
    assertThat(bob.stores.sessions().loadSession(alice.address)).isEmpty();

    KeyStores forgetful =
        new KeyStores(
            bob.stores.identity(),
            bob.stores.preKeys(),
            bob.stores.signedPreKeys(),
            bob.stores.kemPreKeys(),
            bob.stores.sessions(),
            new InMemoryReplayCacheStore());
    assertThat(new SessionCipher(forgetful, random).decrypt(alice.address, first))
        .as("control: without the cache the last-resort keys would accept the replay")
        .isEqualTo(utf8("first"));
  }

  @Test
  void decrypt_firstMessageReplayedAfterOneTimePrekeyUsed_refused() throws Exception {
    alice.startSessionWith(bob);
    byte[] first = alice.cipher.encrypt(bob.address, utf8("first"));
    bob.cipher.decrypt(alice.address, first);
    bob.stores.sessions().deleteSession(alice.address);
    assertThatThrownBy(() -> bob.cipher.decrypt(alice.address, first))
        .isInstanceOfAny(DuplicateMessageException.class, InvalidMessageException.class);
    assertThat(bob.stores.sessions().loadSession(alice.address)).isEmpty();
  }

  @Test
  void decrypt_reflectedMessages_rejected() throws Exception {
    converse();
    byte[] own = alice.cipher.encrypt(bob.address, utf8("to bob"));
    byte[] before = alice.sessionBytes(bob.address);
    assertThatThrownBy(() -> alice.cipher.decrypt(bob.address, own))
        .isInstanceOf(InvalidMessageException.class);
    assertThat(alice.sessionBytes(bob.address)).isEqualTo(before);

    Party carol = new Party("carol", random, 1);
    carol.startSessionWith(bob);
    byte[] pkm = carol.cipher.encrypt(bob.address, utf8("hello"));
    assertThatThrownBy(() -> carol.cipher.decrypt(bob.address, pkm))
        .isInstanceOf(InvalidMessageException.class);
  }

  @Test
  void decrypt_messageSplicedFromAnotherSession_rejected() throws Exception {
    converse();
    Party carol = new Party("carol", random, 1);
    carol.startSessionWith(bob);
    bob.cipher.decrypt(carol.address, carol.cipher.encrypt(bob.address, utf8("c1")));
    carol.cipher.decrypt(bob.address, bob.cipher.encrypt(carol.address, utf8("b1")));

    byte[] fromAlice = alice.cipher.encrypt(bob.address, utf8("for bob from alice"));
    byte[] fromCarol = carol.cipher.encrypt(bob.address, utf8("for bob from carol"));
    byte[] bobCarolBefore = bob.sessionBytes(carol.address);
    assertThatThrownBy(() -> bob.cipher.decrypt(carol.address, fromAlice))
        .isInstanceOf(InvalidMessageException.class);
    assertThat(bob.sessionBytes(carol.address)).isEqualTo(bobCarolBefore);

    byte[] spliced = fromCarol.clone();
    System.arraycopy(fromAlice, 0, spliced, 0, 41);
    assertThatThrownBy(() -> bob.cipher.decrypt(carol.address, spliced))
        .isInstanceOf(InvalidMessageException.class);
    assertThat(bob.cipher.decrypt(alice.address, fromAlice)).isEqualTo(utf8("for bob from alice"));
    assertThat(bob.cipher.decrypt(carol.address, fromCarol)).isEqualTo(utf8("for bob from carol"));
  }

  @Test
  void decrypt_everySingleBitFlipOfRatchetMessage_rejectedAndStateUnchanged() throws Exception {
    converse();
    byte[] m = alice.cipher.encrypt(bob.address, utf8("flip me"));
    byte[] before = bob.sessionBytes(alice.address);
    for (int bit = 0; bit < m.length * 8; bit++) {
      byte[] f = m.clone();
      f[bit / 8] ^= (byte) (1 << (bit % 8));
      int b = bit;
      assertThatThrownBy(() -> bob.cipher.decrypt(alice.address, f))
          .as("bit %d", b)
          .isInstanceOfAny(InvalidMessageException.class, DuplicateMessageException.class);
    }
    assertThat(bob.sessionBytes(alice.address)).isEqualTo(before);
    assertThat(bob.cipher.decrypt(alice.address, m)).isEqualTo(utf8("flip me"));
  }

  @Test
  void decrypt_everySingleBitFlipOfPreKeyMessage_rejectedAndNothingChanged() throws Exception {
    alice.startSessionWith(bob);
    byte[] m = alice.cipher.encrypt(bob.address, utf8("first"));
    int prekeys = bob.stores.preKeys().countPreKeys();
    int kemKeys = bob.stores.kemPreKeys().loadKemPreKeys().size();
    int ctStart = PreKeyMessage.PREFIX_LENGTH - 1088;
    int ctEnd = PreKeyMessage.PREFIX_LENGTH;
    int flips = 0;
    for (int bit = 0; bit < m.length * 8; bit++) {
      int at = bit / 8;
      boolean ctMiddle = at >= ctStart + 8 && at < ctEnd - 8;
      if (ctMiddle && (at % 8 != 0 || bit % 8 != (at / 8) % 8)) {
        // Every bit of the ML-KEM ciphertext counts alike (FIPS 203 re-encrypts and compares the
        // whole
        // ciphertext); one bit per 8 bytes, at rotating positions, keeps this test fast.
        continue;
      }
      flips++;
      byte[] f = m.clone();
      f[at] ^= (byte) (1 << (bit % 8));
      int b = bit;
      assertThatThrownBy(() -> bob.cipher.decrypt(alice.address, f))
          .as("bit %d", b)
          .isInstanceOf(InvalidMessageException.class);
    }
    assertThat(flips).isGreaterThan(3000);
    assertThat(bob.stores.sessions().loadSession(alice.address)).isEmpty();
    assertThat(bob.stores.preKeys().countPreKeys()).isEqualTo(prekeys);
    assertThat(bob.stores.kemPreKeys().loadKemPreKeys()).hasSize(kemKeys);
    assertThat(bob.replayCacheSize()).isZero();
    assertThat(bob.stores.identity().pinnedIdentity(alice.address)).isEmpty();
    assertThat(bob.cipher.decrypt(alice.address, m)).isEqualTo(utf8("first"));
  }

  @Test
  void decrypt_preKeyMessageWithoutKemPart_refused() throws Exception {
    alice.startSessionWith(bob);
    byte[] m = alice.cipher.encrypt(bob.address, utf8("first"));
    byte[] noKemId = m.clone();
    int idAt = 1 + 128 + 8;
    for (int i = 0; i < 4; i++) {
      noKemId[idAt + i] = 0;
    }
    assertThatThrownBy(() -> bob.cipher.decrypt(alice.address, noKemId))
        .isInstanceOf(InvalidMessageException.class);
    byte[] noCiphertext = new byte[m.length - 1088];
    System.arraycopy(m, 0, noCiphertext, 0, PreKeyMessage.PREFIX_LENGTH - 1088);
    System.arraycopy(
        m,
        PreKeyMessage.PREFIX_LENGTH,
        noCiphertext,
        PreKeyMessage.PREFIX_LENGTH - 1088,
        m.length - PreKeyMessage.PREFIX_LENGTH);
    assertThatThrownBy(() -> bob.cipher.decrypt(alice.address, noCiphertext))
        .isInstanceOf(InvalidMessageException.class);
    assertThat(bob.stores.sessions().loadSession(alice.address)).isEmpty();
  }

  @Test
  void decrypt_jumpPastMaxSkip_refusedAndStateUnchanged() throws Exception {
    converse();
    List<byte[]> sent = new ArrayList<>();
    for (int i = 0; i <= SessionState.MAX_SKIP + 1; i++) {
      sent.add(alice.cipher.encrypt(bob.address, utf8("m" + i)));
    }
    byte[] before = bob.sessionBytes(alice.address);
    byte[] tooFar = sent.get(SessionState.MAX_SKIP + 1);
    assertThatThrownBy(() -> bob.cipher.decrypt(alice.address, tooFar))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessageContaining("skips more than");
    assertThat(bob.sessionBytes(alice.address)).isEqualTo(before);
    byte[] edge = sent.get(SessionState.MAX_SKIP);
    assertThat(bob.cipher.decrypt(alice.address, edge))
        .isEqualTo(utf8("m" + SessionState.MAX_SKIP));
    assertThat(bob.cipher.decrypt(alice.address, sent.get(3))).isEqualTo(utf8("m3"));
    assertThat(bob.cipher.decrypt(alice.address, tooFar)).isEqualTo(utf8("m1001"));
  }

  @Test
  void decrypt_skippedKeys_boundedPerSession() throws Exception {
    converse();
    for (int round = 0; round < 3; round++) {
      byte[] last = null;
      for (int i = 0; i <= 900; i++) {
        last = alice.cipher.encrypt(bob.address, utf8("x"));
      }
      bob.cipher.decrypt(alice.address, last);
      alice.cipher.decrypt(bob.address, bob.cipher.encrypt(alice.address, utf8("ack")));
    }
    assertThat(
            bob.stores
                .sessions()
                .loadSession(alice.address)
                .orElseThrow()
                .current()
                .skippedKeyCount())
        .isLessThanOrEqualTo(SessionState.MAX_SKIPPED_KEYS)
        .isGreaterThan(1000);
  }

  @Test
  void forwardSecrecy_stolenStateCannotDecryptEarlierMessages() throws Exception {
    converse();
    byte[] m1 = alice.cipher.encrypt(bob.address, utf8("secret before theft"));
    assertThat(bob.cipher.decrypt(alice.address, m1)).isEqualTo(utf8("secret before theft"));
    KeyStores stolen = cloneOf(bob, alice.address);
    assertThatThrownBy(() -> new SessionCipher(stolen, random).decrypt(alice.address, m1))
        .isInstanceOfAny(DuplicateMessageException.class, InvalidMessageException.class);
  }

  @Test
  void postCompromiseRecovery_afterOneRoundTripStolenStateIsUseless() throws Exception {
    converse();
    KeyStores stolenAlice = cloneOf(alice, bob.address);
    SessionCipher attacker = new SessionCipher(stolenAlice, random);

    byte[] b1 = bob.cipher.encrypt(alice.address, utf8("still readable"));
    assertThat(attacker.decrypt(bob.address, b1.clone()))
        .as("the compromise is real: the clone reads the current chain")
        .isEqualTo(utf8("still readable"));
    assertThat(alice.cipher.decrypt(bob.address, b1)).isEqualTo(utf8("still readable"));

    byte[] a1 = alice.cipher.encrypt(bob.address, utf8("ratchet key made before the theft"));
    bob.cipher.decrypt(alice.address, a1);
    byte[] b2 = bob.cipher.encrypt(alice.address, utf8("still compromised"));
    assertThat(attacker.decrypt(bob.address, b2.clone()))
        .as("Alice's sending key was generated before the theft: still readable")
        .isEqualTo(utf8("still compromised"));
    assertThat(alice.cipher.decrypt(bob.address, b2)).isEqualTo(utf8("still compromised"));

    byte[] a2 = alice.cipher.encrypt(bob.address, utf8("fresh ratchet key"));
    bob.cipher.decrypt(alice.address, a2);
    byte[] b3 = bob.cipher.encrypt(alice.address, utf8("after healing"));
    byte[] b3copy = b3.clone();
    assertThatThrownBy(() -> attacker.decrypt(bob.address, b3copy))
        .isInstanceOf(InvalidMessageException.class);
    assertThat(alice.cipher.decrypt(bob.address, b3)).isEqualTo(utf8("after healing"));
  }

  @Test
  void resetIdentity_peersSeeNewSafetyNumberAndUntrustedUntilAccepted() throws Exception {
    converse();
    SafetyNumber before =
        SafetyNumber.of(
            "alice",
            alice.stores.identity().identityKeyPair().publicKey(),
            "bob",
            bob.stores.identity().identityKeyPair().publicKey());

    bob.keys = KeyRenewal.resetIdentity(bob.stores, 2, 0, random);
    assertThat(bob.stores.sessions().loadSession(alice.address)).isEmpty();

    byte[] old = alice.cipher.encrypt(bob.address, utf8("to old bob"));
    assertThatThrownBy(() -> bob.cipher.decrypt(alice.address, old))
        .isInstanceOf(NoSessionException.class);

    assertThatThrownBy(() -> alice.builder.process(bob.address, bob.bundle()))
        .isInstanceOf(UntrustedIdentityException.class);
    bob.builder.process(alice.address, alice.bundle());
    byte[] hello = bob.cipher.encrypt(alice.address, utf8("new me"));
    byte[] aliceBefore = alice.sessionBytes(bob.address);
    assertThatThrownBy(() -> alice.cipher.decrypt(bob.address, hello))
        .isInstanceOf(UntrustedIdentityException.class);
    assertThat(alice.sessionBytes(bob.address)).isEqualTo(aliceBefore);

    SafetyNumber after =
        SafetyNumber.of(
            "alice",
            alice.stores.identity().identityKeyPair().publicKey(),
            "bob",
            bob.stores.identity().identityKeyPair().publicKey());
    assertThat(after.digits()).isNotEqualTo(before.digits());

    alice.stores.identity().pin(bob.address, bob.stores.identity().identityKeyPair().publicKey());
    assertThat(alice.cipher.decrypt(bob.address, hello)).isEqualTo(utf8("new me"));
  }

  @Test
  void encryptAndDecrypt_withoutSession_noSession() throws Exception {
    assertThatThrownBy(() -> alice.cipher.encrypt(bob.address, utf8("x")))
        .isInstanceOf(NoSessionException.class);
    converse();
    byte[] m = alice.cipher.encrypt(bob.address, utf8("x"));
    Party carol = new Party("carol", random, 1);
    assertThatThrownBy(() -> carol.cipher.decrypt(alice.address, m))
        .isInstanceOf(NoSessionException.class);
  }

  @Test
  void encrypt_pinnedIdentityChangedUnderSession_untrusted() throws Exception {
    converse();
    Party mallory = new Party("mallory", random, 1);
    alice
        .stores
        .identity()
        .pin(bob.address, mallory.stores.identity().identityKeyPair().publicKey());
    assertThatThrownBy(() -> alice.cipher.encrypt(bob.address, utf8("x")))
        .isInstanceOf(UntrustedIdentityException.class);
  }

  @Test
  void simultaneousInitiation_bothSidesConverge() throws Exception {
    alice.startSessionWith(bob);
    bob.startSessionWith(alice);
    byte[] fromAlice = alice.cipher.encrypt(bob.address, utf8("a1"));
    byte[] fromBob = bob.cipher.encrypt(alice.address, utf8("b1"));
    assertThat(bob.cipher.decrypt(alice.address, fromAlice)).isEqualTo(utf8("a1"));
    assertThat(alice.cipher.decrypt(bob.address, fromBob)).isEqualTo(utf8("b1"));
    for (int i = 0; i < 3; i++) {
      byte[] a = alice.cipher.encrypt(bob.address, utf8("a" + i));
      assertThat(bob.cipher.decrypt(alice.address, a)).isEqualTo(utf8("a" + i));
      byte[] b = bob.cipher.encrypt(alice.address, utf8("b" + i));
      assertThat(alice.cipher.decrypt(bob.address, b)).isEqualTo(utf8("b" + i));
    }
  }

  @Test
  void decrypt_lateFirstMessageOfOlderSession_doesNotBreakNewerSession() throws Exception {
    alice.startSessionWith(bob);
    byte[] old = alice.cipher.encrypt(bob.address, utf8("old session"));
    alice.startSessionWith(bob);
    byte[] fresh = alice.cipher.encrypt(bob.address, utf8("new session"));
    assertThat(bob.cipher.decrypt(alice.address, fresh)).isEqualTo(utf8("new session"));
    assertThat(bob.cipher.decrypt(alice.address, old)).isEqualTo(utf8("old session"));
    byte[] reply = bob.cipher.encrypt(alice.address, utf8("reply"));
    assertThat(alice.cipher.decrypt(bob.address, reply)).isEqualTo(utf8("reply"));
    byte[] next = alice.cipher.encrypt(bob.address, utf8("next"));
    assertThat(bob.cipher.decrypt(alice.address, next)).isEqualTo(utf8("next"));
  }

  private KeyStores cloneOf(Party p, ProtocolAddress peer) throws Exception {
    KeyStores c = KeyStores.inMemory(p.stores.identity().identityKeyPair());
    c.sessions().storeSession(peer, SessionRecord.deserialize(p.sessionBytes(peer)));
    return c;
  }
}
