package dev.sotto.keystore.prekey;

import dev.sotto.keystore.identity.IdentityKeyPair;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * A full set of fresh prekeys for one identity, as made at registration and at key renewal: one
 * signed prekey, one last-resort KEM prekey, and {@code count} one-time X25519 and KEM prekeys
 * each.
 *
 * @param signedPreKey the signed X25519 prekey
 * @param lastResortKemPreKey the last-resort ML-KEM-768 prekey
 * @param oneTimePreKeys one-time X25519 prekeys
 * @param oneTimeKemPreKeys one-time ML-KEM-768 prekeys
 */
public record PreKeySet(
    SignedPreKeyRecord signedPreKey,
    KemPreKeyRecord lastResortKemPreKey,
    List<PreKeyRecord> oneTimePreKeys,
    List<KemPreKeyRecord> oneTimeKemPreKeys) {
  /** Copies the lists. */
  public PreKeySet {
    oneTimePreKeys = List.copyOf(oneTimePreKeys);
    oneTimeKemPreKeys = List.copyOf(oneTimeKemPreKeys);
  }

  /** Generates a set with random distinct ids (DESIGN.md uses {@code count} = 100). */
  public static PreKeySet generate(
      IdentityKeyPair identity, int count, long nowMillis, SecureRandom random) {
    java.util.Set<Integer> used = new java.util.HashSet<>();
    SignedPreKeyRecord spk =
        SignedPreKeyRecord.generate(identity, freshId(used, random), nowMillis, random);
    KemPreKeyRecord lastResort =
        KemPreKeyRecord.generate(identity, freshId(used, random), true, nowMillis, random);
    List<PreKeyRecord> opks = new ArrayList<>(count);
    List<KemPreKeyRecord> kems = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      opks.add(PreKeyRecord.generate(freshId(used, random), random));
      kems.add(KemPreKeyRecord.generate(identity, freshId(used, random), false, nowMillis, random));
    }
    return new PreKeySet(spk, lastResort, opks, kems);
  }

  private static int freshId(java.util.Set<Integer> used, SecureRandom random) {
    int id;
    do {
      id = PreKeyIds.random(random);
    } while (!used.add(id));
    return id;
  }
}
