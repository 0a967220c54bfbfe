package dev.sotto.keystore.prekey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sotto.keystore.InvalidKeyException;
import dev.sotto.keystore.KeyStores;
import dev.sotto.keystore.ProtocolAddress;
import dev.sotto.keystore.SessionBuilder;
import dev.sotto.keystore.UntrustedIdentityException;
import dev.sotto.keystore.crypto.SignatureContext;
import dev.sotto.keystore.identity.IdentityKeyPair;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/** A substituted or damaged bundle is refused before any session exists. */
class PreKeyBundleTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final IdentityKeyPair BOB = IdentityKeyPair.generate(RANDOM);
  private static final IdentityKeyPair MALLORY = IdentityKeyPair.generate(RANDOM);
  private static final PreKeySet KEYS = PreKeySet.generate(BOB, 1, 0, RANDOM);

  private static PreKeyBundle good() {
    return PreKeyBundle.of(
        1,
        BOB.publicKey(),
        KEYS.signedPreKey(),
        KEYS.oneTimePreKeys().get(0),
        KEYS.oneTimeKemPreKeys().get(0));
  }

  private static PreKeyBundle with(
      IdentityKeyPair identity, byte[] spkSig, int kemId, byte[] kem, byte[] kemSig) {
    PreKeyBundle g = good();
    return new PreKeyBundle(
        1,
        identity.publicKey(),
        g.signedPreKeyId(),
        g.signedPreKey(),
        spkSig,
        g.oneTimePreKeyId(),
        g.oneTimePreKey(),
        kemId,
        kem,
        kemSig);
  }

  @Test
  void verify_genuineBundle_accepted() {
    assertThatCode(() -> good().verify()).doesNotThrowAnyException();
  }

  @Test
  void verify_flippedSignedPreKeySignature_refused() {
    byte[] sig = good().signedPreKeySignature();
    sig[10] ^= 1;
    PreKeyBundle b =
        with(BOB, sig, good().kemPreKeyId(), good().kemPreKey(), good().kemPreKeySignature());
    assertThatThrownBy(b::verify)
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("signed prekey");
  }

  @Test
  void verify_bobsPrekeysUnderMallorysIdentity_refused() {
    PreKeyBundle g = good();
    PreKeyBundle b =
        with(
            MALLORY,
            g.signedPreKeySignature(),
            g.kemPreKeyId(),
            g.kemPreKey(),
            g.kemPreKeySignature());
    assertThatThrownBy(b::verify).isInstanceOf(InvalidKeyException.class);
  }

  @Test
  void verify_signatureMadeInAnotherContext_refused() {
    PreKeyBundle g = good();
    byte[] data = PreKeyIds.idAnd(g.signedPreKeyId(), g.signedPreKey());
    byte[] wrongContext = BOB.sign(SignatureContext.KEM_PREKEY, data);
    PreKeyBundle b =
        with(BOB, wrongContext, g.kemPreKeyId(), g.kemPreKey(), g.kemPreKeySignature());
    assertThatThrownBy(b::verify).isInstanceOf(InvalidKeyException.class);

    byte[] kemData = PreKeyIds.idAnd(g.kemPreKeyId(), g.kemPreKey());
    byte[] kemWrongContext = BOB.sign(SignatureContext.SIGNED_PREKEY, kemData);
    PreKeyBundle k =
        with(BOB, g.signedPreKeySignature(), g.kemPreKeyId(), g.kemPreKey(), kemWrongContext);
    assertThatThrownBy(k::verify)
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("KEM");
  }

  @Test
  void verify_signatureOverAnotherId_refused() {
    PreKeyBundle g = good();
    PreKeyBundle b =
        new PreKeyBundle(
            1,
            BOB.publicKey(),
            g.signedPreKeyId() ^ 1,
            g.signedPreKey(),
            g.signedPreKeySignature(),
            0,
            null,
            g.kemPreKeyId(),
            g.kemPreKey(),
            g.kemPreKeySignature());
    assertThatThrownBy(b::verify).isInstanceOf(InvalidKeyException.class);
  }

  @Test
  void verify_withoutKemPrekey_refusedAsDowngrade() {
    PreKeyBundle g = good();
    PreKeyBundle b = with(BOB, g.signedPreKeySignature(), 0, null, null);
    assertThatThrownBy(b::verify)
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("downgrade");
  }

  @Test
  void verify_kemKeyFailingModulusCheck_refusedEvenWhenSigned() {
    PreKeyBundle g = good();
    byte[] ek = g.kemPreKey();
    ek[0] = (byte) 0xFF;
    ek[1] = (byte) (ek[1] | 0x0F);
    byte[] sig = BOB.sign(SignatureContext.KEM_PREKEY, PreKeyIds.idAnd(g.kemPreKeyId(), ek));
    PreKeyBundle b = with(BOB, g.signedPreKeySignature(), g.kemPreKeyId(), ek, sig);
    assertThatThrownBy(b::verify)
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("modulus");
  }

  @Test
  void process_bundleWithChangedIdentity_untrusted() throws Exception {
    KeyStores alice = KeyStores.inMemory(IdentityKeyPair.generate(RANDOM));
    ProtocolAddress bob = new ProtocolAddress("bob", 1);
    alice.identity().pin(bob, MALLORY.publicKey());
    assertThatThrownBy(() -> new SessionBuilder(alice, RANDOM).process(bob, good()))
        .isInstanceOf(UntrustedIdentityException.class);
    assertThat(alice.sessions().loadSession(bob)).isEmpty();
  }

  @Test
  void process_bundleForAnotherDevice_refused() {
    KeyStores alice = KeyStores.inMemory(IdentityKeyPair.generate(RANDOM));
    assertThatThrownBy(
            () -> new SessionBuilder(alice, RANDOM).process(new ProtocolAddress("bob", 2), good()))
        .isInstanceOf(InvalidKeyException.class);
  }
}
