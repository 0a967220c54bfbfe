package dev.sotto.keystore.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class X25519Test {
  @Test
  void isCanonical_generatedKeysYes_topBitAndValuesAtOrAbovePNo() throws Exception {
    X25519KeyPair kp = X25519KeyPair.generate(new SecureRandom());
    byte[] pub = kp.publicKey();
    assertThat(X25519.isCanonical(pub)).isTrue();
    byte[] top = pub.clone();
    top[31] ^= (byte) 0x80;
    assertThat(X25519.isCanonical(top)).isFalse();
    X25519KeyPair other = X25519KeyPair.generate(new SecureRandom());
    assertThat(other.agree(top)).as("why it matters: same secret").isEqualTo(other.agree(pub));

    byte[] p = new byte[32];
    Arrays.fill(p, (byte) 0xFF);
    p[0] = (byte) 0xED;
    p[31] = 0x7F;
    assertThat(X25519.isCanonical(p)).as("p itself").isFalse();
    byte[] pMinus1 = p.clone();
    pMinus1[0] = (byte) 0xEC;
    assertThat(X25519.isCanonical(pMinus1)).isTrue();
    assertThat(X25519.isCanonical(new byte[31])).isFalse();
  }
}
