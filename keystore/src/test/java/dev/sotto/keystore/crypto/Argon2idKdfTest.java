package dev.sotto.keystore.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sotto.keystore.testing.Vectors;
import java.util.Arrays;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.junit.jupiter.api.Test;

class Argon2idKdfTest {

  /** RFC 9106 section 5.3: Argon2id, t=3, m=32 KiB, p=4, with secret and associated data. */
  @Test
  void derive_rfc9106Argon2idVector_matches() {
    byte[] password = filled(32, 0x01);
    byte[] salt = filled(16, 0x02);
    byte[] secret = filled(8, 0x03);
    byte[] ad = filled(12, 0x04);
    byte[] tag = new Argon2idKdf(32, 3, 4).derive(password, salt, secret, ad, 32);
    assertThat(Vectors.hex(tag))
        .isEqualTo("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");
  }

  @Test
  void accountKdf_usesArgon2id() {
    assertThat(Argon2idKdf.ARGON2_TYPE).isEqualTo(Argon2Parameters.ARGON2_id);
    assertThat(Argon2idKdf.DEFAULT.memoryKiB()).isEqualTo(64 * 1024);
    assertThat(Argon2idKdf.DEFAULT.iterations()).isEqualTo(3);
    assertThat(Argon2idKdf.DEFAULT.parallelism()).isEqualTo(1);
  }

  @Test
  void masterKey_differsFromArgon2iWithSameInputs() {
    Argon2idKdf kdf = new Argon2idKdf(64, 1, 1);
    byte[] salt = Argon2idKdf.accountSalt(new byte[16], "alice");
    byte[] ours = kdf.masterKey("correct horse".getBytes(), salt);
    org.bouncycastle.crypto.generators.Argon2BytesGenerator g =
        new org.bouncycastle.crypto.generators.Argon2BytesGenerator();
    g.init(
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_i)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(64)
            .withIterations(1)
            .withParallelism(1)
            .withSalt(salt)
            .build());
    byte[] argon2i = new byte[32];
    g.generateBytes("correct horse".getBytes(), argon2i);
    assertThat(ours).hasSize(32).isNotEqualTo(argon2i);
    assertThat(Argon2idKdf.authKey(ours)).isNotEqualTo(Argon2idKdf.storeKey(ours));
  }

  private static byte[] filled(int n, int v) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) v);
    return b;
  }
}
