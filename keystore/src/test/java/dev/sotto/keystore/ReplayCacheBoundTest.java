package dev.sotto.keystore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sotto.keystore.prekey.PreKeyBundle;
import dev.sotto.keystore.prekey.SignedPreKeyRecord;
import dev.sotto.keystore.state.InMemoryReplayCacheStore;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The replay cache's bound: never exceeded, and never at the price of a replay window. */
class ReplayCacheBoundTest {
  private static final long DAY = Duration.ofDays(1).toMillis();
  private static final int CAPACITY = 8;

  private final SecureRandom random = new SecureRandom();

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A first message from {@code alice} to {@code bob} under {@code spk}, with no one-time key. */
  private static byte[] firstMessage(Party alice, Party bob, SignedPreKeyRecord spk, String text)
      throws Exception {
    PreKeyBundle bundle =
        PreKeyBundle.of(
            1,
            bob.stores.identity().identityKeyPair().publicKey(),
            spk,
            null,
            bob.keys.lastResortKemPreKey());
    alice.builder.process(bob.address, bundle);
    return alice.cipher.encrypt(bob.address, utf8(text));
  }

  /**
   * Bob decrypts {@code m} with no session for Alice, so that only the replay cache can stop it.
   */
  private static byte[] decryptFresh(Party alice, Party bob, byte[] m) throws Exception {
    bob.stores.sessions().deleteSession(alice.address);
    return bob.cipher.decrypt(alice.address, m);
  }

  @Test
  void decrypt_floodUnderOneSignedPreKey_capacityNeverExceededAndReplaysStillRejected()
      throws Exception {
    Party alice = new Party("alice", random, 1);
    Party bob = new Party("bob", random, 1, new InMemoryReplayCacheStore(CAPACITY));
    SignedPreKeyRecord spk = bob.keys.signedPreKey();
    List<byte[]> accepted = new ArrayList<>();
    for (int i = 0; i < 3 * CAPACITY; i++) {
      byte[] m = firstMessage(alice, bob, spk, "m" + i);
      if (i < CAPACITY) {
        assertThat(bob.cipher.decrypt(alice.address, m)).isEqualTo(utf8("m" + i));
        accepted.add(m);
      } else {
        assertThatThrownBy(() -> bob.cipher.decrypt(alice.address, m))
            .as("no room and no older signed prekey to retire: refused, not evicted")
            .isInstanceOf(InvalidMessageException.class)
            .hasMessageContaining("replay cache is full");
      }
      assertThat(bob.replayCacheSize()).isLessThanOrEqualTo(CAPACITY);
    }
    assertThat(bob.replayCacheSize()).isEqualTo(CAPACITY);
    assertThat(bob.stores.signedPreKeys().loadSignedPreKey(spk.id())).isPresent();
    for (byte[] m : accepted) {
      assertThatThrownBy(() -> decryptFresh(alice, bob, m))
          .as("its signed prekey is live: the entry is still there")
          .isInstanceOf(DuplicateMessageException.class);
    }
  }

  @Test
  void decrypt_fullCacheAfterRotation_closesOldestSignedPreKeyWindow() throws Exception {
    Party alice = new Party("alice", random, 1);
    Party bob = new Party("bob", random, 1, new InMemoryReplayCacheStore(CAPACITY));
    SignedPreKeyRecord old = bob.keys.signedPreKey();
    List<byte[]> underOld = new ArrayList<>();
    for (int i = 0; i < CAPACITY; i++) {
      byte[] m = firstMessage(alice, bob, old, "old" + i);
      bob.cipher.decrypt(alice.address, m);
      underOld.add(m);
    }
    SignedPreKeyRecord fresh = KeyRenewal.rotateSignedPreKey(bob.stores, 7 * DAY, random);
    assertThat(bob.stores.signedPreKeys().loadSignedPreKey(old.id()))
        .as("within its 30 days of grace")
        .isPresent();

    byte[] m = firstMessage(alice, bob, fresh, "new");
    assertThat(bob.cipher.decrypt(alice.address, m)).isEqualTo(utf8("new"));

    assertThat(bob.replayCacheSize()).isEqualTo(1);
    assertThat(bob.stores.signedPreKeys().loadSignedPreKey(old.id()))
        .as("the oldest window was closed by retiring its signed prekey early")
        .isEmpty();
    for (byte[] r : underOld) {
      assertThatThrownBy(() -> decryptFresh(alice, bob, r))
          .as("entry dropped, but its signed prekey is gone too")
          .isInstanceOf(InvalidMessageException.class)
          .hasMessageContaining("unknown signed prekey");
    }
    assertThatThrownBy(() -> decryptFresh(alice, bob, m))
        .isInstanceOf(DuplicateMessageException.class);
  }

  @Test
  void decrypt_refusedForFullCache_changesNothing() throws Exception {
    Party alice = new Party("alice", random, 1);
    Party bob = new Party("bob", random, 1, new InMemoryReplayCacheStore(1));
    SignedPreKeyRecord spk = bob.keys.signedPreKey();
    bob.cipher.decrypt(alice.address, firstMessage(alice, bob, spk, "one"));
    byte[] session = bob.sessionBytes(alice.address);
    byte[] m = firstMessage(alice, bob, spk, "two");
    assertThatThrownBy(() -> bob.cipher.decrypt(alice.address, m))
        .isInstanceOf(InvalidMessageException.class);
    assertThat(bob.sessionBytes(alice.address)).isEqualTo(session);
    assertThat(bob.replayCacheSize()).isEqualTo(1);
  }

  @Test
  void decrypt_firstMessageWithOneTimePreKey_needsNoEntryAndStillCannotBeReplayed()
      throws Exception {
    Party alice = new Party("alice", random, 1);
    Party bob = new Party("bob", random, 3, new InMemoryReplayCacheStore(1));
    for (int i = 0; i < 3; i++) {
      alice.startSessionWith(bob);
      byte[] m = alice.cipher.encrypt(bob.address, utf8("m" + i));
      assertThat(decryptFresh(alice, bob, m)).isEqualTo(utf8("m" + i));
      assertThat(bob.replayCacheSize()).as("a consumed one-time key guards it").isZero();
      assertThatThrownBy(() -> decryptFresh(alice, bob, m))
          .isInstanceOf(InvalidMessageException.class)
          .hasMessageContaining("one-time prekey");
    }
  }

  /**
   * Seeded random schedule: first messages under random live signed prekeys, rotations, replays.
   * Invariants after every step: the cache holds at most its capacity, and every accepted first
   * message whose signed prekey is still live is refused as a duplicate.
   */
  @Test
  void decrypt_randomFloodWithRotations_boundHeldAndNoReplayWindowReopened() throws Exception {
    for (long seed = 1; seed <= 3; seed++) {
      Random schedule = new Random(seed);
      Party alice = new Party("alice", random, 1);
      Party bob = new Party("bob", random, 1, new InMemoryReplayCacheStore(CAPACITY));
      record Sent(int spkId, byte[] message) {}
      List<Sent> accepted = new ArrayList<>();
      long now = 0;
      int refused = 0;
      for (int step = 0; step < 60; step++) {
        if (schedule.nextInt(8) == 0) {
          now += (1 + schedule.nextInt(10)) * DAY;
          KeyRenewal.rotateSignedPreKey(bob.stores, now, random);
          continue;
        }
        List<SignedPreKeyRecord> live = bob.stores.signedPreKeys().loadSignedPreKeys();
        SignedPreKeyRecord spk = live.get(schedule.nextInt(live.size()));
        byte[] m = firstMessage(alice, bob, spk, "s" + step);
        try {
          bob.cipher.decrypt(alice.address, m);
          accepted.add(new Sent(spk.id(), m));
        } catch (InvalidMessageException e) {
          assertThat(e).hasMessageContaining("replay cache is full");
          refused++;
        }
        assertThat(bob.replayCacheSize())
            .as("seed %d step %d", seed, step)
            .isLessThanOrEqualTo(CAPACITY);
        Sent probe = accepted.isEmpty() ? null : accepted.get(schedule.nextInt(accepted.size()));
        if (probe != null) {
          boolean live2 = bob.stores.signedPreKeys().loadSignedPreKey(probe.spkId()).isPresent();
          assertThatThrownBy(() -> decryptFresh(alice, bob, probe.message()))
              .as("seed %d step %d: replay", seed, step)
              .isInstanceOf(
                  live2 ? DuplicateMessageException.class : InvalidMessageException.class);
        }
      }
      assertThat(accepted.size()).as("seed %d", seed).isGreaterThan(CAPACITY);
      assertThat(refused + accepted.size()).isPositive();
    }
  }
}
