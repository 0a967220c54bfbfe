package dev.sotto.keystore.pqxdh;

import dev.sotto.keystore.InvalidKeyException;
import dev.sotto.keystore.InvalidMessageException;
import dev.sotto.keystore.codec.ByteWriter;
import dev.sotto.keystore.crypto.Hkdf;
import dev.sotto.keystore.crypto.MlKem768;
import dev.sotto.keystore.crypto.MlKemKeyPair;
import dev.sotto.keystore.crypto.X25519KeyPair;
import dev.sotto.keystore.identity.IdentityKey;
import dev.sotto.keystore.identity.IdentityKeyPair;
import dev.sotto.keystore.prekey.PreKeyBundle;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The PQXDH key agreement. {@code SK = HKDF(salt = 32 x 0x00, ikm = 32 x 0xFF || DH1 || DH2 || DH3
 * [|| DH4] || SS, info = "Sotto_X25519_SHA-256_ML-KEM-768_v1", 32)}.
 *
 * <p>Security guarantees: mutual authentication of both identities through DH1 and DH2 (implicit,
 * by the first message decrypting), forward secrecy through the ephemeral key, and confidentiality
 * of SK against an attacker who later has a quantum computer through the ML-KEM shared secret.
 */
public final class Pqxdh {
  private static final byte[] INFO =
      "Sotto_X25519_SHA-256_ML-KEM-768_v1".getBytes(StandardCharsets.US_ASCII);

  private Pqxdh() {}

  /**
   * What the initiator derived and must send.
   *
   * @param sharedKey SK
   * @param baseKey the ephemeral public key EK_A
   * @param kemCiphertext CT
   * @param replayId {@code SHA-256(EK_A || CT)}
   */
  public record InitiatorResult(
      byte[] sharedKey, byte[] baseKey, byte[] kemCiphertext, byte[] replayId) {
    @Override
    public String toString() {
      return "InitiatorResult";
    }
  }

  /** The KDF over the DH outputs and the KEM shared secret; {@code dh4} may be null. */
  public static byte[] sharedKey(byte[] dh1, byte[] dh2, byte[] dh3, byte[] dh4, byte[] ss) {
    byte[] ff = new byte[32];
    Arrays.fill(ff, (byte) 0xFF);
    byte[] ikm =
        dh4 == null
            ? ByteWriter.concat(ff, dh1, dh2, dh3, ss)
            : ByteWriter.concat(ff, dh1, dh2, dh3, dh4, ss);
    return Hkdf.sha256(new byte[32], ikm, INFO, 32);
  }

  /** Returns {@code SHA-256(baseKey || kemCiphertext)}, the replay-cache id. */
  public static byte[] replayId(byte[] baseKey, byte[] kemCiphertext) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(baseKey);
      return sha.digest(kemCiphertext);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The initiator's side. The bundle must already have passed {@link PreKeyBundle#verify()}.
   *
   * @param ours our identity
   * @param bundle the responder's verified bundle
   * @param ephemeral a fresh X25519 key pair EK_A
   * @param random randomness for the encapsulation
   * @throws InvalidKeyException if a key is malformed or a DH result is all zeros
   */
  public static InitiatorResult initiate(
      IdentityKeyPair ours, PreKeyBundle bundle, X25519KeyPair ephemeral, SecureRandom random)
      throws InvalidKeyException {
    byte[] spk = bundle.signedPreKey();
    byte[] dh1 = ours.agree(spk);
    byte[] dh2 = ephemeral.agree(bundle.identityKey().agreementKey());
    byte[] dh3 = ephemeral.agree(spk);
    byte[] dh4 = bundle.oneTimePreKeyId() == 0 ? null : ephemeral.agree(bundle.oneTimePreKey());
    MlKem768.Encapsulation enc = MlKem768.encapsulate(bundle.kemPreKey(), random);
    byte[] sk = sharedKey(dh1, dh2, dh3, dh4, enc.sharedSecret());
    byte[] ek = ephemeral.publicKey();
    return new InitiatorResult(sk, ek, enc.ciphertext(), replayId(ek, enc.ciphertext()));
  }

  /**
   * The responder's side.
   *
   * @param ours our identity
   * @param theirs the initiator's identity
   * @param signedPreKey our signed prekey named in the message
   * @param oneTimePreKey our one-time prekey named in the message, or null
   * @param kemPreKey our KEM prekey named in the message
   * @param baseKey EK_A
   * @param kemCiphertext CT
   * @return SK
   * @throws InvalidMessageException if a DH result is all zeros or the ciphertext is malformed
   */
  public static byte[] respond(
      IdentityKeyPair ours,
      IdentityKey theirs,
      X25519KeyPair signedPreKey,
      X25519KeyPair oneTimePreKey,
      MlKemKeyPair kemPreKey,
      byte[] baseKey,
      byte[] kemCiphertext)
      throws InvalidMessageException {
    try {
      byte[] dh1 = signedPreKey.agree(theirs.agreementKey());
      byte[] dh2 = ours.agree(baseKey);
      byte[] dh3 = signedPreKey.agree(baseKey);
      byte[] dh4 = oneTimePreKey == null ? null : oneTimePreKey.agree(baseKey);
      byte[] ss = kemPreKey.decapsulate(kemCiphertext);
      return sharedKey(dh1, dh2, dh3, dh4, ss);
    } catch (InvalidKeyException e) {
      throw new InvalidMessageException("PQXDH failed: " + e.getMessage());
    }
  }
}
