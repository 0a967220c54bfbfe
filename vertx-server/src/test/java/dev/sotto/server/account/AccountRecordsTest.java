package dev.sotto.server.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Verifier, AccountCodec and InviteCodes. */
class AccountRecordsTest {

  private static final SecureRandom RANDOM = new SecureRandom();

  private static byte[] key() {
    byte[] k = new byte[32];
    RANDOM.nextBytes(k);
    return k;
  }

  @Test
  void verifier_matchesOnlyItsKey_saltedAndRedacted() {
    byte[] k = key();
    Verifier v = Verifier.create(k, RANDOM);
    assertThat(v.matches(k)).isTrue();
    byte[] flipped = k.clone();
    flipped[31] ^= 1;
    assertThat(v.matches(flipped)).isFalse();
    assertThat(v.matches(Arrays.copyOf(k, 31))).isFalse();
    assertThat(Verifier.create(k, RANDOM).toBytes()).isNotEqualTo(v.toBytes());
    assertThat(v.toBytes()).hasSize(48);
    assertThat(v.toString()).doesNotContain(Arrays.toString(v.toBytes())).contains("redacted");
    assertThat(Verifier.fromBytes(v.toBytes()).matches(k)).isTrue();
    assertThatThrownBy(() -> Verifier.fromBytes(new byte[47]))
        .hasMessageContaining("expected 48-byte verifier, got 47");
    assertThatThrownBy(() -> Verifier.create(new byte[16], RANDOM))
        .hasMessageContaining("expected 32-byte auth key, got 16");
  }

  @Test
  void codec_roundTrip() {
    Account a =
        new Account(
            "alice", new KdfParameters(8192, 2, 1), Verifier.create(key(), RANDOM), true, 42L);
    Account back = AccountCodec.decode("alice", AccountCodec.encode(a));
    assertThat(back).isEqualTo(a);
    assertThat(back.withDisabled(false).disabled()).isFalse();
  }

  @Test
  void codec_corruptRecords_rejected() {
    byte[] good =
        AccountCodec.encode(
            new Account("bob", KdfParameters.DEFAULT, Verifier.create(key(), RANDOM), false, 1));
    byte[] badVersion = good.clone();
    badVersion[0] = 2;
    byte[] badFlags = good.clone();
    badFlags[1] = 4;
    byte[] badParams = good.clone();
    Arrays.fill(badParams, 10, 14, (byte) 0);
    assertThatThrownBy(() -> AccountCodec.decode("bob", badVersion))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AccountCodec.decode("bob", badFlags))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AccountCodec.decode("bob", badParams))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AccountCodec.decode("bob", Arrays.copyOf(good, 60)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AccountCodec.decode("bob", new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void inviteCodes_formatAndForgivingInput() {
    for (int i = 0; i < 100; i++) {
      String code = InviteCodes.generate(RANDOM);
      assertThat(code).matches("[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}");
      String canonical = InviteCodes.normalize(code).orElseThrow();
      assertThat(canonical).hasSize(16).doesNotContain("-");
      assertThat(InviteCodes.normalize(code.toUpperCase().replace("-", " "))).contains(canonical);
    }
    assertThat(InviteCodes.normalize("OIl0-0000-0000-0000")).contains("0110000000000000");
    assertThat(InviteCodes.normalize("")).isEmpty();
    assertThat(InviteCodes.normalize("abcd-efgh-ijkl-mnou")).isEmpty();
    assertThat(InviteCodes.normalize("abcd")).isEmpty();
    assertThat(InviteCodes.normalize("x".repeat(1000))).isEmpty();
    assertThat(InviteCodes.normalize(null)).isEmpty();
  }
}
