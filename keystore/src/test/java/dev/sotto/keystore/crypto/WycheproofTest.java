package dev.sotto.keystore.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sotto.keystore.InvalidKeyException;
import dev.sotto.keystore.InvalidMessageException;
import dev.sotto.keystore.testing.Vectors;
import dev.sotto.keystore.testing.Vectors.Case;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Wycheproof vectors for every primitive the protocol uses, through our own wrappers. */
class WycheproofTest {

  @Test
  void x25519_allVectors_matchAndZeroSharedSecretRejected() {
    List<Case> cases = Vectors.wycheproof("x25519_test.json");
    int zero = 0;
    for (Case c : cases) {
      byte[] priv = c.hex("private");
      byte[] pub = c.hex("public");
      byte[] shared = c.hex("shared");
      boolean allZero = Arrays.equals(shared, new byte[32]);
      if (allZero || c.flags().contains("ZeroSharedSecret")) {
        zero++;
        assertThatThrownBy(() -> X25519.agree(priv, pub))
            .as(c.toString())
            .isInstanceOf(InvalidKeyException.class);
      } else if (c.result().equals("invalid")) {
        assertThatThrownBy(() -> X25519.agree(priv, pub)).as(c.toString()).isNotNull();
      } else {
        try {
          assertThat(X25519.agree(priv, pub)).as(c.toString()).isEqualTo(shared);
        } catch (InvalidKeyException e) {
          throw new AssertionError(c + " unexpectedly rejected", e);
        }
      }
    }
    assertThat(zero).as("zero-shared-secret cases seen").isGreaterThan(0);
  }

  @Test
  @SuppressWarnings("unchecked")
  void ed25519_allVectors_verifyExactlyTheValidOnes() {
    List<Case> cases = Vectors.wycheproof("ed25519_test.json");
    for (Case c : cases) {
      byte[] pk =
          Vectors.hex((String) ((Map<String, Object>) c.group().get("publicKey")).get("pk"));
      boolean ok = Ed25519.verify(pk, c.hex("msg"), c.hex("sig"));
      assertThat(ok).as(c.toString()).isEqualTo(c.result().equals("valid"));
    }
  }

  @Test
  void hkdfSha256_allVectors() {
    for (Case c : Vectors.wycheproof("hkdf_sha256_test.json")) {
      int size = ((Long) c.test().get("size")).intValue();
      if (c.result().equals("valid")) {
        assertThat(Hkdf.sha256(c.hex("salt"), c.hex("ikm"), c.hex("info"), size))
            .as(c.toString())
            .isEqualTo(c.hex("okm"));
      } else {
        assertThatThrownBy(() -> Hkdf.sha256(c.hex("salt"), c.hex("ikm"), c.hex("info"), size))
            .as(c.toString())
            .isInstanceOf(RuntimeException.class);
      }
    }
  }

  @Test
  void hmacSha256_allVectors() {
    for (Case c : Vectors.wycheproof("hmac_sha256_test.json")) {
      int tagBytes = ((Long) c.group().get("tagSize")).intValue() / 8;
      byte[] mac = Arrays.copyOf(Hmac.sha256(c.hex("key"), c.hex("msg")), tagBytes);
      assertThat(Arrays.equals(mac, c.hex("tag")))
          .as(c.toString())
          .isEqualTo(c.result().equals("valid"));
    }
  }

  @Test
  void aesGcm_256BitKey96BitNonce_allVectors() {
    int seen = 0;
    for (Case c : Vectors.wycheproof("aes_gcm_test.json")) {
      long keySize = (Long) c.group().get("keySize");
      long ivSize = (Long) c.group().get("ivSize");
      if (keySize != 256 || ivSize != 96) {
        continue;
      }
      seen++;
      byte[] key = c.hex("key");
      byte[] iv = c.hex("iv");
      byte[] ctTag = concat(c.hex("ct"), c.hex("tag"));
      if (c.result().equals("valid")) {
        assertThat(AesGcm.encrypt(key, iv, c.hex("msg"), c.hex("aad")))
            .as(c.toString())
            .isEqualTo(ctTag);
        try {
          assertThat(AesGcm.decrypt(key, iv, ctTag, c.hex("aad"))).isEqualTo(c.hex("msg"));
        } catch (InvalidMessageException e) {
          throw new AssertionError(c.toString(), e);
        }
      } else {
        assertThatThrownBy(() -> AesGcm.decrypt(key, iv, ctTag, c.hex("aad")))
            .as(c.toString())
            .isInstanceOf(InvalidMessageException.class);
      }
    }
    assertThat(seen).isGreaterThan(10);
  }

  @Test
  void mlKem768_decapsulation_validMatchAndBadLengthsRejected() {
    int overlong = 0;
    for (Case c : Vectors.wycheproof("mlkem_768_test.json")) {
      byte[] seed = c.hex("seed");
      byte[] ct = c.hex("c");
      String comment = c.str("comment") == null ? "" : c.str("comment");
      if (c.result().equals("valid")) {
        assertThat(MlKem768.publicKey(seed)).as(c.toString()).isEqualTo(c.hex("ek"));
        try {
          assertThat(MlKem768.decapsulate(seed, ct)).as(c.toString()).isEqualTo(c.hex("K"));
        } catch (InvalidMessageException e) {
          throw new AssertionError(c.toString(), e);
        }
      } else if (comment.startsWith("Private key")) {
        assertThatThrownBy(() -> MlKemKeyPair.fromSeed(seed))
            .as(c.toString())
            .isInstanceOf(IllegalArgumentException.class);
      } else {
        if (ct.length > MlKem768.CIPHERTEXT_LENGTH) {
          overlong++;
        }
        assertThatThrownBy(() -> MlKem768.decapsulate(seed, ct))
            .as(c.toString())
            .isInstanceOf(InvalidMessageException.class);
      }
    }
    assertThat(overlong).as("over-long ciphertext cases seen").isGreaterThan(0);
  }

  @Test
  void mlKem768_encapsulation_validMatchAndModulusOverflowRejected() {
    int overflow = 0;
    for (Case c : Vectors.wycheproof("mlkem_768_encaps_test.json")) {
      byte[] ek = c.hex("ek");
      if (c.result().equals("valid")) {
        try {
          MlKem768.Encapsulation e = MlKem768.encapsulateDeterministic(ek, c.hex("m"));
          assertThat(e.ciphertext()).as(c.toString()).isEqualTo(c.hex("c"));
          assertThat(e.sharedSecret()).as(c.toString()).isEqualTo(c.hex("K"));
        } catch (InvalidKeyException e) {
          throw new AssertionError(c.toString(), e);
        }
      } else {
        if (c.flags().contains("ModulusOverflow")) {
          overflow++;
        }
        assertThatThrownBy(() -> MlKem768.checkEncapsulationKey(ek))
            .as(c.toString())
            .isInstanceOf(InvalidKeyException.class);
        assertThatThrownBy(() -> MlKem768.encapsulate(ek, new java.security.SecureRandom()))
            .as(c.toString())
            .isInstanceOf(InvalidKeyException.class);
      }
    }
    assertThat(overflow).as("modulus-overflow cases seen").isGreaterThan(0);
  }

  @Test
  void mlKem768_keyGenFromSeed_matchesEncapsulationKey() {
    for (Case c : Vectors.wycheproof("mlkem_768_keygen_seed_test.json")) {
      assertThat(MlKem768.publicKey(c.hex("seed"))).as(c.toString()).isEqualTo(c.hex("ek"));
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
