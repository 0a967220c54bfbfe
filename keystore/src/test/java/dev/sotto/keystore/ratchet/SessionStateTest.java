package dev.sotto.keystore.ratchet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sotto.keystore.InvalidMessageException;
import dev.sotto.keystore.InvalidRecordException;
import dev.sotto.keystore.crypto.X25519KeyPair;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SessionStateTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  private static SessionState[] pair() throws Exception {
    byte[] a = new byte[64];
    byte[] b = new byte[64];
    RANDOM.nextBytes(a);
    RANDOM.nextBytes(b);
    byte[] sk = new byte[32];
    RANDOM.nextBytes(sk);
    X25519KeyPair spk = X25519KeyPair.generate(RANDOM);
    PendingPreKey pending = new PendingPreKey(1, 2, 3, new byte[32], new byte[1088]);
    SessionState alice =
        SessionState.initiator(
            a, b, sk, spk.publicKey(), X25519KeyPair.generate(RANDOM), pending, new byte[32]);
    SessionState bob = SessionState.responder(b, a, sk, spk, new byte[32]);
    return new SessionState[] {alice, bob};
  }

  @Test
  void serialize_roundTripsWithSkippedKeysAndOldChains() throws Exception {
    SessionState[] s = pair();
    for (int turn = 0; turn < 8; turn++) {
      SessionState from = s[turn % 2];
      SessionState to = s[1 - turn % 2];
      RatchetMessage skipped = from.encrypt(new byte[] {1});
      RatchetMessage delivered = from.encrypt(new byte[] {2});
      assertThat(to.decrypt(delivered, RANDOM)).containsExactly(2);
      if (turn == 7) {
        byte[] bytes = to.serialize();
        SessionState parsed = SessionState.deserialize(bytes);
        assertThat(parsed.serialize()).isEqualTo(bytes);
        assertThat(parsed.skippedKeyCount()).isGreaterThan(0);
        assertThat(parsed.decrypt(skipped, RANDOM)).containsExactly(1);
      }
    }
  }

  @Test
  void deserialize_everyTruncationAndTrailingByte_rejected() throws Exception {
    SessionState[] s = pair();
    s[1].decrypt(s[0].encrypt(new byte[] {7}), RANDOM);
    byte[] bytes = s[1].serialize();
    for (int len = 0; len < bytes.length; len++) {
      byte[] t = Arrays.copyOf(bytes, len);
      assertThatThrownBy(() -> SessionState.deserialize(t))
          .isInstanceOf(InvalidRecordException.class);
    }
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
    assertThatThrownBy(() -> SessionState.deserialize(longer))
        .isInstanceOf(InvalidRecordException.class);
  }

  @Test
  void decrypt_failure_leavesCopySourceUntouched() throws Exception {
    SessionState[] s = pair();
    RatchetMessage m = s[0].encrypt(new byte[] {9});
    byte[] before = s[1].serialize();
    byte[] ct = m.ciphertext();
    ct[0] ^= 1;
    RatchetMessage bad = new RatchetMessage(m.ratchetKey(), m.previousCounter(), m.counter(), ct);
    SessionState copy = s[1].copy();
    assertThatThrownBy(() -> copy.decrypt(bad, RANDOM)).isInstanceOf(InvalidMessageException.class);
    assertThat(s[1].serialize()).isEqualTo(before);
  }

  @Test
  void padding_rejectsMalformed() {
    assertThatThrownBy(() -> Padding.unpad(new byte[160]))
        .isInstanceOf(InvalidMessageException.class);
    byte[] p = Padding.pad(new byte[5]);
    p[100] = 1;
    assertThatThrownBy(() -> Padding.unpad(p)).isInstanceOf(InvalidMessageException.class);
    assertThatThrownBy(() -> Padding.unpad(new byte[161]))
        .isInstanceOf(InvalidMessageException.class);
  }
}
