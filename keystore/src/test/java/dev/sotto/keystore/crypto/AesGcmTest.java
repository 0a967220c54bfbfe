package dev.sotto.keystore.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sotto.keystore.InvalidMessageException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The per-thread cipher that {@link AesGcm} keeps, in the sequences a caller can make. */
class AesGcmTest {
  private static final byte[] KEY = new byte[32];
  private static final byte[] NONCE = new byte[12];
  private static final byte[] AAD = "ad".getBytes(StandardCharsets.UTF_8);

  static {
    Arrays.fill(KEY, (byte) 7);
    Arrays.fill(NONCE, (byte) 9);
  }

  @Test
  void sameMessageEncryptedTwiceOnOneThread_sameBytes() {
    byte[] msg = "hello".getBytes(StandardCharsets.UTF_8);
    byte[] first = AesGcm.encrypt(KEY, NONCE, msg, AAD);
    // the JDK refuses a second encryption under this key and nonce on one Cipher instance
    byte[] second = AesGcm.encrypt(KEY, NONCE, msg, AAD);
    assertThat(second).isEqualTo(first).hasSize(msg.length + AesGcm.TAG_LENGTH);
  }

  @Test
  void afterAFailedDecryption_theThreadsCipherStillWorks() throws Exception {
    byte[] msg = "x".repeat(1000).getBytes(StandardCharsets.UTF_8);
    byte[] sealed = AesGcm.encrypt(KEY, NONCE, msg, AAD);
    byte[] tampered = sealed.clone();
    tampered[3] ^= 1;
    assertThatThrownBy(() -> AesGcm.decrypt(KEY, NONCE, tampered, AAD))
        .isInstanceOf(InvalidMessageException.class);
    assertThat(AesGcm.decrypt(KEY, NONCE, sealed, AAD)).isEqualTo(msg);
    byte[] otherNonce = NONCE.clone();
    otherNonce[0] ^= 1;
    byte[] again = AesGcm.encrypt(KEY, otherNonce, msg, AAD);
    assertThat(again).isNotEqualTo(sealed);
    assertThat(AesGcm.decrypt(KEY, otherNonce, again, AAD)).isEqualTo(msg);
  }
}
