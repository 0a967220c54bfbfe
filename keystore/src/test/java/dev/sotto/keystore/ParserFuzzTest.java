package dev.sotto.keystore;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sotto.keystore.identity.IdentityKey;
import dev.sotto.keystore.identity.IdentityKeyPair;
import dev.sotto.keystore.pqxdh.PreKeyMessage;
import dev.sotto.keystore.prekey.KemPreKeyRecord;
import dev.sotto.keystore.prekey.PreKeyRecord;
import dev.sotto.keystore.prekey.SignedPreKeyRecord;
import dev.sotto.keystore.ratchet.RatchetMessage;
import dev.sotto.keystore.ratchet.SessionRecord;
import dev.sotto.keystore.ratchet.SessionState;
import java.security.SecureRandom;

/**
 * Jazzer fuzz tests of every parser of message and state bytes: only the declared checked exception
 * may escape (any other exception or error fails the test). In {@code mvn test} they run in
 * regression mode on the seeds under {@code
 * src/test/resources/dev/sotto/keystore/ParserFuzzTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes
 * (memory-hungry: about 3 GB).
 */
class ParserFuzzTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Party ALICE = new Party("alice", RANDOM, 1);
  private static final Party BOB = new Party("bob", RANDOM, 1);

  static {
    try {
      ALICE.startSessionWith(BOB);
      BOB.cipher.decrypt(ALICE.address, ALICE.cipher.encrypt(BOB.address, new byte[] {1}));
      ALICE.cipher.decrypt(BOB.address, BOB.cipher.encrypt(ALICE.address, new byte[] {2}));
    } catch (Exception e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @FuzzTest(maxDuration = "30s")
  void ratchetMessage_parse(byte[] data) {
    try {
      RatchetMessage.parse(data);
    } catch (InvalidMessageException expected) {
      // declared
    }
  }

  @FuzzTest(maxDuration = "30s")
  void preKeyMessage_parse(byte[] data) {
    try {
      PreKeyMessage.parse(data);
    } catch (InvalidMessageException expected) {
      // declared
    }
  }

  @FuzzTest(maxDuration = "30s")
  void sessionCipher_decrypt(byte[] data) {
    try {
      BOB.cipher.decrypt(ALICE.address, data);
    } catch (InvalidMessageException
        | DuplicateMessageException
        | UntrustedIdentityException
        | NoSessionException expected) {
      // declared
    }
  }

  @FuzzTest(maxDuration = "30s")
  void sessionState_deserialize(byte[] data) {
    try {
      SessionState.deserialize(data);
    } catch (InvalidRecordException expected) {
      // declared
    }
    try {
      SessionRecord.deserialize(data);
    } catch (InvalidRecordException expected) {
      // declared
    }
  }

  @FuzzTest(maxDuration = "30s")
  void records_deserialize(byte[] data) {
    try {
      PreKeyRecord.deserialize(data);
    } catch (InvalidRecordException expected) {
      // declared
    }
    try {
      SignedPreKeyRecord.deserialize(data);
    } catch (InvalidRecordException expected) {
      // declared
    }
    try {
      KemPreKeyRecord.deserialize(data);
    } catch (InvalidRecordException expected) {
      // declared
    }
    try {
      IdentityKeyPair.deserialize(data);
    } catch (InvalidRecordException expected) {
      // declared
    }
  }

  @FuzzTest(maxDuration = "30s")
  void identityKey_decode(byte[] data) {
    try {
      IdentityKey.decode(data);
    } catch (InvalidKeyException expected) {
      // declared
    }
  }
}
