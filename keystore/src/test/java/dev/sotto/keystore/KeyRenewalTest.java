package dev.sotto.keystore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sotto.keystore.prekey.SignedPreKeyRecord;
import java.security.SecureRandom;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class KeyRenewalTest {
  private final SecureRandom random = new SecureRandom();

  @Test
  void rotateSignedPreKey_keepsRecentOnes_deletesExpiredWithReplayEntries() throws Exception {
    Party alice = new Party("alice", random, 1);
    Party bob = new Party("bob", random, 2);
    alice.builder.process(bob.address, bob.lastResortBundle());
    bob.cipher.decrypt(alice.address, alice.cipher.encrypt(bob.address, new byte[] {1}));
    assertThat(bob.replayCacheSize()).isEqualTo(1);
    int original = bob.keys.signedPreKey().id();

    long day = Duration.ofDays(1).toMillis();
    SignedPreKeyRecord week1 = KeyRenewal.rotateSignedPreKey(bob.stores, 7 * day, random);
    assertThat(bob.stores.signedPreKeys().loadSignedPreKey(original)).isPresent();
    assertThat(bob.replayCacheSize()).isEqualTo(1);

    SignedPreKeyRecord later = KeyRenewal.rotateSignedPreKey(bob.stores, 38 * day, random);
    assertThat(bob.stores.signedPreKeys().loadSignedPreKey(original)).isEmpty();
    assertThat(bob.replayCacheSize()).as("entries of the deleted key go with it").isZero();
    assertThat(bob.stores.signedPreKeys().loadSignedPreKey(week1.id())).isPresent();
    assertThat(bob.stores.signedPreKeys().loadSignedPreKey(later.id())).isPresent();
  }

  @Test
  void topUpOneTimePreKeys_addsCountOfEachKind() {
    Party bob = new Party("bob", random, 1);
    KeyRenewal.OneTimePreKeys added = KeyRenewal.topUpOneTimePreKeys(bob.stores, 5, 0, random);
    assertThat(added.preKeys()).hasSize(5);
    assertThat(added.kemPreKeys()).hasSize(5);
    assertThat(bob.stores.preKeys().countPreKeys()).isEqualTo(6);
    assertThat(bob.stores.kemPreKeys().loadKemPreKeys()).hasSize(1 + 1 + 5);
  }
}
