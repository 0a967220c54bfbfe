package dev.sotto.keystore.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sotto.keystore.InvalidRecordException;
import dev.sotto.keystore.crypto.X25519KeyPair;
import dev.sotto.keystore.identity.IdentityKeyPair;
import dev.sotto.keystore.prekey.KemPreKeyRecord;
import dev.sotto.keystore.prekey.PreKeyRecord;
import dev.sotto.keystore.prekey.PreKeySet;
import dev.sotto.keystore.prekey.SignedPreKeyRecord;
import dev.sotto.keystore.ratchet.SessionRecord;
import dev.sotto.keystore.ratchet.SessionState;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Every stored record round-trips byte for byte and its parser refuses any other length or type.
 */
class RecordsTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  interface Parser {
    Object parse(byte[] b) throws InvalidRecordException;
  }

  private static void strict(byte[] bytes, Parser parser) throws Exception {
    parser.parse(bytes);
    for (int len = 0; len < bytes.length; len++) {
      byte[] t = Arrays.copyOf(bytes, len);
      assertThatThrownBy(() -> parser.parse(t)).isInstanceOf(InvalidRecordException.class);
    }
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
    assertThatThrownBy(() -> parser.parse(longer)).isInstanceOf(InvalidRecordException.class);
    byte[] otherType = bytes.clone();
    otherType[0] ^= 0x40;
    assertThatThrownBy(() -> parser.parse(otherType)).isInstanceOf(InvalidRecordException.class);
  }

  @Test
  void records_roundTripAndStrictParsers() throws Exception {
    IdentityKeyPair id = IdentityKeyPair.generate(RANDOM);
    PreKeySet set = PreKeySet.generate(id, 1, 123456789L, RANDOM);

    byte[] idBytes = id.serialize();
    assertThat(IdentityKeyPair.deserialize(idBytes).publicKey()).isEqualTo(id.publicKey());
    strict(idBytes, IdentityKeyPair::deserialize);

    byte[] spk = set.signedPreKey().serialize();
    SignedPreKeyRecord spkParsed = SignedPreKeyRecord.deserialize(spk);
    assertThat(spkParsed.serialize()).isEqualTo(spk);
    assertThat(spkParsed.createdAtMillis()).isEqualTo(123456789L);
    strict(spk, SignedPreKeyRecord::deserialize);

    byte[] kem = set.lastResortKemPreKey().serialize();
    KemPreKeyRecord kemParsed = KemPreKeyRecord.deserialize(kem);
    assertThat(kemParsed.lastResort()).isTrue();
    assertThat(kemParsed.keyPair().publicKey())
        .isEqualTo(set.lastResortKemPreKey().keyPair().publicKey());
    strict(kem, KemPreKeyRecord::deserialize);

    byte[] opk = set.oneTimePreKeys().get(0).serialize();
    assertThat(PreKeyRecord.deserialize(opk).serialize()).isEqualTo(opk);
    strict(opk, PreKeyRecord::deserialize);
  }

  @Test
  void sessionRecord_keepsAtMostTwoPreviousAndParsesStrictly() throws Exception {
    SessionRecord record = SessionRecord.of(state());
    for (int i = 0; i < 4; i++) {
      record.archiveCurrentAndSet(state());
    }
    assertThat(record.previousStates()).hasSize(SessionRecord.MAX_PREVIOUS);
    byte[] bytes = record.serialize();
    assertThat(SessionRecord.deserialize(bytes).serialize()).isEqualTo(bytes);
    strict(bytes, SessionRecord::deserialize);
  }

  private static SessionState state() {
    byte[] a = new byte[64];
    byte[] b = new byte[64];
    RANDOM.nextBytes(a);
    RANDOM.nextBytes(b);
    return SessionState.responder(a, b, new byte[32], X25519KeyPair.generate(RANDOM), new byte[32]);
  }
}
