package dev.sotto.keystore.fingerprint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sotto.keystore.identity.IdentityKeyPair;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class SafetyNumberTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final IdentityKeyPair alice = IdentityKeyPair.generate(RANDOM);
  private final IdentityKeyPair bob = IdentityKeyPair.generate(RANDOM);

  @Test
  void of_sameForBothParties_sixtyDigitsInTwelveGroups() {
    SafetyNumber a = SafetyNumber.of("alice", alice.publicKey(), "bob", bob.publicKey());
    SafetyNumber b = SafetyNumber.of("bob", bob.publicKey(), "alice", alice.publicKey());
    assertThat(a.digits()).isEqualTo(b.digits()).hasSize(60).containsOnlyDigits();
    assertThat(a.formatted()).matches("(\\d{5} ){11}\\d{5}");
  }

  @Test
  void matches_ignoresWhitespace_rejectsAnyOtherDifference() {
    SafetyNumber n = SafetyNumber.of("alice", alice.publicKey(), "bob", bob.publicKey());
    String d = n.digits();
    assertThat(n.matches(n.formatted())).isTrue();
    assertThat(n.matches("  " + d.substring(0, 30) + "\n" + d.substring(30) + " ")).isTrue();
    char last = d.charAt(59);
    String wrong = d.substring(0, 59) + (char) (last == '9' ? '0' : last + 1);
    assertThat(n.matches(wrong)).isFalse();
    assertThat(n.matches(d.substring(0, 59))).isFalse();
    assertThat(n.matches(d + "0")).isFalse();
    assertThat(n.matches(d.substring(0, 59) + "x")).isFalse();
    assertThat(n.matches(null)).isFalse();
  }

  @Test
  void of_changedIdentityOrUsername_changesNumber() {
    SafetyNumber n = SafetyNumber.of("alice", alice.publicKey(), "bob", bob.publicKey());
    IdentityKeyPair newBob = IdentityKeyPair.generate(RANDOM);
    assertThat(SafetyNumber.of("alice", alice.publicKey(), "bob", newBob.publicKey()).digits())
        .isNotEqualTo(n.digits());
    assertThat(SafetyNumber.of("alice", alice.publicKey(), "bobby", bob.publicKey()).digits())
        .isNotEqualTo(n.digits());
  }
}
