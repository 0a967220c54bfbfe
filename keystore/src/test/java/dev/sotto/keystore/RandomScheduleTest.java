package dev.sotto.keystore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Seeded random delivery schedules: both parties send at random (in a quarter of the runs both
 * start a session at once); the network drops, duplicates, reorders and interleaves. Every message
 * delivered is decrypted exactly once, to its own plaintext; every repeated delivery is refused and
 * leaves the receiver's state unchanged.
 */
class RandomScheduleTest {
  private static final int RUNS = 1000;
  private static final int STEPS = 40;

  /** A message in flight, with the step it was sent at. */
  private record Flight(int id, byte[] ciphertext, int sentAt, boolean delivered) {}

  @Test
  void randomSchedules_everyDeliveredMessageDecryptsExactlyOnce() throws Exception {
    int delivered = 0;
    int duplicates = 0;
    int dropped = 0;
    SecureRandom keys = SecureRandom.getInstance("SHA1PRNG");
    keys.setSeed(0x5077L);
    Party alice = new Party("alice", keys, 1);
    Party bob = new Party("bob", keys, 1);
    for (int run = 0; run < RUNS; run++) {
      long seed = 0x5077_0000L + run;
      int[] counts = runSchedule(seed, alice, bob);
      delivered += counts[0];
      duplicates += counts[1];
      dropped += counts[2];
    }
    assertThat(delivered).isGreaterThan(RUNS * 5);
    assertThat(duplicates).isGreaterThan(RUNS / 2);
    assertThat(dropped).isGreaterThan(RUNS / 2);
  }

  /**
   * One schedule on a fresh session between the two parties (each run replaces the last session).
   */
  private int[] runSchedule(long seed, Party alice, Party bob) throws Exception {
    Random rnd = new Random(seed);
    alice.startSessionWith(bob);
    // One run in four: both start a session with each other at once (simultaneous initiation).
    boolean simultaneous = seed % 4 == 0;
    if (simultaneous) {
      bob.startSessionWith(alice);
    }
    List<List<Flight>> wires = List.of(new ArrayList<>(), new ArrayList<>());
    Party[] parties = {alice, bob};
    Set<Integer> received = new HashSet<>();
    boolean bobCanSend = simultaneous;
    int next = 0;
    int[] counts = new int[3];
    for (int step = 0; step < STEPS; step++) {
      int action = rnd.nextInt(10);
      int dir = rnd.nextInt(2);
      if (dir == 1 && !bobCanSend) {
        dir = 0;
      }
      List<Flight> wire = wires.get(dir);
      Party from = parties[dir];
      Party to = parties[1 - dir];
      if (action < 4) {
        int id = next++;
        byte[] ct = from.cipher.encrypt(to.address, plaintext(seed, id, rnd.nextInt(400)));
        wire.add(new Flight(id, ct, step, false));
      } else if (action < 8 && !wire.isEmpty()) {
        int pick = rnd.nextInt(wire.size());
        Flight f = wire.get(pick);
        if (!f.delivered()) {
          byte[] pt = to.cipher.decrypt(from.address, f.ciphertext());
          if (!received.add(f.id())) {
            fail("seed %d: message %d decrypted twice", seed, f.id());
          }
          assertThat(pt)
              .as("seed %d message %d", seed, f.id())
              .isEqualTo(plaintext(seed, f.id(), pt.length));
          wire.set(pick, new Flight(f.id(), f.ciphertext(), f.sentAt(), true));
          counts[0]++;
          if (dir == 0) {
            bobCanSend = true;
          }
        } else {
          byte[] before = to.sessionBytes(from.address);
          try {
            to.cipher.decrypt(from.address, f.ciphertext());
            fail("seed %d: duplicate of message %d accepted", seed, f.id());
          } catch (DuplicateMessageException | InvalidMessageException expected) {
            counts[1]++;
          }
          assertThat(to.sessionBytes(from.address)).isEqualTo(before);
        }
      } else if (!wire.isEmpty()) {
        Flight f = wire.remove(rnd.nextInt(wire.size()));
        if (!f.delivered()) {
          counts[2]++;
        }
      }
      // Keep flights young (under 4 direction changes), inside the 5 remembered old chains.
      int now = step;
      for (List<Flight> w : wires) {
        w.removeIf(f -> now - f.sentAt() > 8);
      }
    }
    return counts;
  }

  private static byte[] plaintext(long seed, int id, int length) {
    String head = seed + ":" + id + ":";
    StringBuilder sb = new StringBuilder(head);
    while (sb.length() < length) {
      sb.append('.');
    }
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }
}
