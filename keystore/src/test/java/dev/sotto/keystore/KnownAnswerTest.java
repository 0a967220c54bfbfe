package dev.sotto.keystore;

import static dev.sotto.keystore.testing.Vectors.hex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sotto.keystore.codec.ByteWriter;
import dev.sotto.keystore.crypto.AesGcm;
import dev.sotto.keystore.crypto.MlKem768;
import dev.sotto.keystore.crypto.MlKemKeyPair;
import dev.sotto.keystore.crypto.SignatureContext;
import dev.sotto.keystore.crypto.X25519;
import dev.sotto.keystore.crypto.X25519KeyPair;
import dev.sotto.keystore.fingerprint.SafetyNumber;
import dev.sotto.keystore.identity.IdentityKey;
import dev.sotto.keystore.identity.IdentityKeyPair;
import dev.sotto.keystore.pqxdh.Pqxdh;
import dev.sotto.keystore.pqxdh.PreKeyMessage;
import dev.sotto.keystore.prekey.KemPreKeyRecord;
import dev.sotto.keystore.prekey.PreKeyRecord;
import dev.sotto.keystore.prekey.SignedPreKeyRecord;
import dev.sotto.keystore.ratchet.Padding;
import dev.sotto.keystore.ratchet.PendingPreKey;
import dev.sotto.keystore.ratchet.RatchetKdf;
import dev.sotto.keystore.ratchet.RatchetMessage;
import dev.sotto.keystore.ratchet.SessionState;
import dev.sotto.keystore.testing.Vectors;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Checks the Java implementation against kat.json, written by the independent Python implementation
 * (src/test/python/kat.py). Every value must match byte for byte.
 */
@SuppressWarnings("unchecked")
class KnownAnswerTest {
  private static final Map<String, Object> KAT = Vectors.kat();

  private static Map<String, Object> section(String name) {
    return (Map<String, Object>) KAT.get(name);
  }

  private static byte[] h(Map<String, Object> m, String k) {
    return hex((String) m.get(k));
  }

  private static int i(Map<String, Object> m, String k) {
    return ((Long) m.get(k)).intValue();
  }

  private static IdentityKeyPair alice() {
    Map<String, Object> s = section("signatures");
    return IdentityKeyPair.of(h(s, "identity_ed25519_private"), h(s, "identity_x25519_private"));
  }

  private static IdentityKeyPair bob() {
    Map<String, Object> s = section("signatures");
    return IdentityKeyPair.of(
        h(s, "bob_identity_ed25519_private"), h(s, "bob_identity_x25519_private"));
  }

  @Test
  void identityKeys_andPrekeySignatures_matchPython() throws Exception {
    Map<String, Object> s = section("signatures");
    assertThat(alice().publicKey().serialize()).isEqualTo(h(s, "identity_key"));
    assertThat(bob().publicKey().serialize()).isEqualTo(h(s, "bob_identity_key"));
    assertThat(IdentityKey.decode(h(s, "identity_key"))).isEqualTo(alice().publicKey());

    byte[] spkPub = X25519.publicKey(h(s, "signed_prekey_private"));
    assertThat(spkPub).isEqualTo(h(s, "signed_prekey_public"));
    byte[] spkData = ByteWriter.concat(u32(i(s, "signed_prekey_id")), spkPub);
    assertThat(bob().sign(SignatureContext.SIGNED_PREKEY, spkData))
        .isEqualTo(h(s, "signed_prekey_signature"));

    byte[] ek = h(s, "kem_prekey_public");
    if (KAT.containsKey("mlkem768")) {
      assertThat(MlKem768.publicKey(h(s, "kem_prekey_seed"))).isEqualTo(ek);
    }
    byte[] kemData = ByteWriter.concat(u32(i(s, "kem_prekey_id")), ek);
    assertThat(bob().sign(SignatureContext.KEM_PREKEY, kemData))
        .isEqualTo(h(s, "kem_prekey_signature"));
    assertThat(
            bob()
                .publicKey()
                .verify(SignatureContext.SIGNED_PREKEY, kemData, h(s, "kem_prekey_signature")))
        .as("a signature from one context never verifies in another")
        .isFalse();
  }

  @Test
  void mlKemDecapsulation_matchesPython() throws Exception {
    Map<String, Object> m = section("mlkem768");
    assertThat(m).as("kat.json written with ML-KEM support").isNotNull();
    assertThat(MlKem768.publicKey(h(m, "seed"))).isEqualTo(h(m, "ek"));
    assertThat(MlKem768.decapsulate(h(m, "seed"), h(m, "ciphertext")))
        .isEqualTo(h(m, "shared_secret"));
  }

  @Test
  void pqxdhKdf_andAssociatedData_matchPython() throws Exception {
    Map<String, Object> p = section("pqxdh");
    Map<String, Object> s = section("signatures");
    byte[] spk = h(s, "signed_prekey_private");
    byte[] ek = h(p, "ephemeral_private");
    byte[] opk = h(p, "one_time_prekey_private");
    byte[] dh1 = alice().agree(X25519.publicKey(spk));
    byte[] dh2 = X25519.agree(ek, bob().publicKey().agreementKey());
    byte[] dh3 = X25519.agree(ek, X25519.publicKey(spk));
    byte[] dh4 = X25519.agree(ek, X25519.publicKey(opk));
    assertThat(dh1).isEqualTo(h(p, "dh1"));
    assertThat(dh2).isEqualTo(h(p, "dh2"));
    assertThat(dh3).isEqualTo(h(p, "dh3"));
    assertThat(dh4).isEqualTo(h(p, "dh4"));
    byte[] ss = h(p, "kem_shared_secret");
    assertThat(Pqxdh.sharedKey(dh1, dh2, dh3, dh4, ss)).isEqualTo(h(p, "sk"));
    assertThat(Pqxdh.sharedKey(dh1, dh2, dh3, null, ss))
        .isEqualTo(h(p, "sk_without_one_time_prekey"));
    assertThat(Pqxdh.replayId(X25519.publicKey(ek), h(p, "kem_ciphertext")))
        .isEqualTo(h(p, "replay_id"));

    if (KAT.containsKey("mlkem768")) {
      byte[] responderSk =
          Pqxdh.respond(
              bob(),
              alice().publicKey(),
              X25519KeyPair.fromPrivate(spk),
              X25519KeyPair.fromPrivate(opk),
              MlKemKeyPair.fromSeed(h(s, "kem_prekey_seed")),
              X25519.publicKey(ek),
              h(p, "kem_ciphertext"));
      assertThat(responderSk).isEqualTo(h(p, "sk"));
    }
    SessionState initiator =
        SessionState.initiator(
            alice().publicKey().keyBytes(),
            bob().publicKey().keyBytes(),
            h(p, "sk"),
            X25519.publicKey(spk),
            X25519KeyPair.generate(new SecureRandom()),
            null,
            new byte[32]);
    assertThat(initiator.associatedData()).isEqualTo(h(p, "associated_data"));
  }

  @Test
  void kdfRk_kdfCk_messageKeys_matchPython() throws Exception {
    Map<String, Object> rk = section("kdf_rk");
    byte[] dh = X25519.agree(h(rk, "our_private"), h(rk, "their_public"));
    assertThat(dh).isEqualTo(h(rk, "dh_output"));
    RatchetKdf.RootAndChain rc = RatchetKdf.kdfRk(h(rk, "root_key"), dh);
    assertThat(rc.rootKey()).isEqualTo(h(rk, "new_root_key"));
    assertThat(rc.chainKey()).isEqualTo(h(rk, "chain_key"));

    Map<String, Object> ck = section("kdf_ck");
    byte[] chain = h(ck, "chain_key");
    for (Object o : (List<Object>) ck.get("steps")) {
      Map<String, Object> step = (Map<String, Object>) o;
      RatchetKdf.MessageAndChain mc = RatchetKdf.kdfCk(chain);
      assertThat(mc.messageKey()).isEqualTo(h(step, "message_key"));
      assertThat(mc.nextChainKey()).isEqualTo(h(step, "next_chain_key"));
      chain = mc.nextChainKey();
    }

    Map<String, Object> mk = section("message_keys");
    RatchetKdf.AeadKey k = RatchetKdf.messageKeys(h(mk, "message_key"));
    assertThat(k.key()).isEqualTo(h(mk, "aes_key"));
    assertThat(k.nonce()).isEqualTo(h(mk, "nonce"));
  }

  @Test
  void ratchetMessage_encryptionWithHeaderAndAd_matchesPython() throws Exception {
    Map<String, Object> m = section("ratchet_message");
    byte[] header =
        RatchetMessage.header(
            h(m, "ratchet_public"), i(m, "previous_chain_length"), i(m, "message_number"));
    assertThat(header).isEqualTo(h(m, "header"));
    RatchetKdf.AeadKey k = RatchetKdf.messageKeys(h(m, "message_key"));
    byte[] ad = ByteWriter.concat(h(m, "associated_data"), header);
    byte[] ct = AesGcm.encrypt(k.key(), k.nonce(), Padding.pad(h(m, "plaintext")), ad);
    assertThat(ByteWriter.concat(header, ct)).isEqualTo(h(m, "message"));

    RatchetMessage parsed = RatchetMessage.parse(h(m, "message"));
    assertThat(parsed.counter()).isEqualTo(42);
    assertThat(parsed.previousCounter()).isEqualTo(7);
    assertThat(Padding.unpad(AesGcm.decrypt(k.key(), k.nonce(), parsed.ciphertext(), ad)))
        .isEqualTo(h(m, "plaintext"));
  }

  @Test
  void padding_matchesPython() throws Exception {
    for (Object o : (List<Object>) KAT.get("padding")) {
      Map<String, Object> p = (Map<String, Object>) o;
      assertThat(Padding.pad(h(p, "plaintext"))).isEqualTo(h(p, "padded"));
      assertThat(Padding.unpad(h(p, "padded"))).isEqualTo(h(p, "plaintext"));
    }
  }

  @Test
  void prekeyMessage_fromPython_decryptsAndJavaInitiatorProducesSameBytes() throws Exception {
    Map<String, Object> pm = section("prekey_message");
    assertThat(pm).as("kat.json written with ML-KEM support").isNotNull();
    Map<String, Object> s = section("signatures");
    Map<String, Object> p = section("pqxdh");
    byte[] expected = h(pm, "message");

    KeyStores bobStores = KeyStores.inMemory(bob());
    bobStores
        .signedPreKeys()
        .storeSignedPreKey(
            new SignedPreKeyRecord(
                i(s, "signed_prekey_id"),
                0,
                X25519KeyPair.fromPrivate(h(s, "signed_prekey_private")),
                h(s, "signed_prekey_signature")));
    bobStores
        .preKeys()
        .storePreKey(
            new PreKeyRecord(
                i(p, "one_time_prekey_id"),
                X25519KeyPair.fromPrivate(h(p, "one_time_prekey_private"))));
    bobStores
        .kemPreKeys()
        .storeKemPreKey(
            new KemPreKeyRecord(
                i(s, "kem_prekey_id"),
                0,
                false,
                MlKemKeyPair.fromSeed(h(s, "kem_prekey_seed")),
                h(s, "kem_prekey_signature")));
    ProtocolAddress aliceAddress = new ProtocolAddress("alice", 1);
    byte[] plaintext =
        new SessionCipher(bobStores, new SecureRandom()).decrypt(aliceAddress, expected);
    assertThat(plaintext).isEqualTo(h(pm, "plaintext"));
    assertThat(bobStores.preKeys().loadPreKey(i(p, "one_time_prekey_id"))).isEmpty();

    SessionState initiator =
        SessionState.initiator(
            alice().publicKey().keyBytes(),
            bob().publicKey().keyBytes(),
            h(p, "sk"),
            h(s, "signed_prekey_public"),
            X25519KeyPair.fromPrivate(h(pm, "alice_ratchet_private")),
            new PendingPreKey(
                i(s, "signed_prekey_id"),
                i(p, "one_time_prekey_id"),
                i(s, "kem_prekey_id"),
                h(p, "ephemeral_public"),
                h(p, "kem_ciphertext")),
            h(p, "replay_id"));
    RatchetMessage first = initiator.encrypt(h(pm, "plaintext"));
    byte[] ours =
        new PreKeyMessage(
                alice().publicKey(),
                i(s, "signed_prekey_id"),
                i(p, "one_time_prekey_id"),
                i(s, "kem_prekey_id"),
                h(p, "ephemeral_public"),
                h(p, "kem_ciphertext"),
                first)
            .serialize();
    assertThat(ours).isEqualTo(expected);
  }

  @Test
  void safetyNumber_matchesPython() throws Exception {
    Map<String, Object> sn = section("safety_number");
    IdentityKey a = IdentityKey.decode(h(sn, "alice_identity_key"));
    IdentityKey b = IdentityKey.decode(h(sn, "bob_identity_key"));
    assertThat(SafetyNumber.partyDigits("alice", a)).isEqualTo(sn.get("alice_digits"));
    assertThat(SafetyNumber.partyDigits("bob", b)).isEqualTo(sn.get("bob_digits"));
    SafetyNumber fromAlice = SafetyNumber.of("alice", a, "bob", b);
    SafetyNumber fromBob = SafetyNumber.of("bob", b, "alice", a);
    assertThat(fromAlice.digits()).isEqualTo(sn.get("safety_number"));
    assertThat(fromBob.digits()).isEqualTo(sn.get("safety_number"));
    assertThat(fromAlice.formatted()).isEqualTo(sn.get("display"));
  }

  private static byte[] u32(int v) {
    return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
  }
}
