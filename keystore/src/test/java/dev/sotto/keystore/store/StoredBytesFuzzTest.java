package dev.sotto.keystore.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sotto.keystore.ProtocolAddress;
import dev.sotto.keystore.identity.IdentityKeyPair;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The parsers of the bytes the local store keeps: the header, the sealed record envelope and the
 * plaintext layouts of the client's records. Arbitrary input either parses or throws {@link
 * CorruptedStoreException} (or, for a header, {@link WrongStoreKeyException}); nothing else
 * escapes. The {@code @Test} runs the same checks on every truncation and many bit flips of valid
 * encodings, so regression mode covers the interesting inputs without a stored corpus.
 */
class StoredBytesFuzzTest {
  private static final byte[] STORE_KEY = new byte[32];
  private static final byte[] DATA_KEY = new byte[32];
  private static final RecordCipher CIPHER = new RecordCipher(DATA_KEY, new SecureRandom());
  private static final byte[] KEY = {1, 2, 3};

  @FuzzTest(maxDuration = "20s")
  void header_arbitraryBytes_onlyDeclaredExceptions(byte[] data) {
    checkHeader(data);
  }

  @FuzzTest(maxDuration = "20s")
  void sealedRecord_arbitraryBytes_onlyCorrupted(byte[] data) {
    checkSealed(data);
  }

  @FuzzTest(maxDuration = "20s")
  void recordLayouts_arbitraryBytes_onlyCorrupted(byte[] data) {
    checkRecords(data);
  }

  @Test
  void mutationsOfValidEncodings_onlyDeclaredExceptions() {
    SecureRandom sr = new SecureRandom();
    StoreHeader header = StoreHeader.wrap(STORE_KEY, new byte[16], DATA_KEY, sr);
    assertThat(checkHeader(header.encode())).isTrue();
    byte[] sealed = CIPHER.seal("session", KEY, new byte[] {9, 9, 9});
    assertThat(checkSealed(sealed)).isTrue();
    IdentityKeyPair id = IdentityKeyPair.generate(sr);
    List<byte[]> records =
        List.of(
            Records.contact(new Contact("bob", TrustState.CHANGED, Optional.of(id.publicKey()), 5)),
            Records.conversation(new Conversation("bob", 3, 2, 1)),
            Records.history(
                new HistoryEntry(
                    "bob", 1, new byte[16], Direction.INCOMING, "bob", 7, new byte[] {1})),
            Records.outbox(
                new OutboxEntry(1, new ProtocolAddress("bob", 1), new byte[16], new byte[3], 2)),
            Records.message(new Records.MessageRef("bob", 1, MessageState.SENT)),
            Records.pin(new Records.Pin(new ProtocolAddress("bob", 1), id.publicKey())),
            Records.replay(new Records.ReplayOwners(1, 2)),
            Records.counters(1));
    Random r = new Random(1);
    List<byte[]> valid = new java.util.ArrayList<>(records);
    valid.add(header.encode());
    valid.add(sealed);
    for (byte[] v : valid) {
      for (int n = 0; n <= v.length; n++) {
        byte[] cut = Arrays.copyOf(v, n);
        checkHeader(cut);
        checkSealed(cut);
        checkRecords(cut);
      }
      for (int i = 0; i < 200; i++) {
        byte[] m = v.clone();
        m[r.nextInt(m.length)] ^= (byte) (1 << r.nextInt(8));
        checkHeader(m);
        checkSealed(m);
        checkRecords(m);
      }
    }
  }

  /** Returns whether the header parsed and unwrapped. */
  private static boolean checkHeader(byte[] data) {
    try {
      StoreHeader h = StoreHeader.parse(data);
      assertThat(h.unwrap(STORE_KEY, "fuzz")).hasSize(32);
      return true;
    } catch (CorruptedStoreException | WrongStoreKeyException expected) {
      assertThat(expected.getMessage()).isNotBlank();
      return false;
    }
  }

  private static boolean checkSealed(byte[] data) {
    try {
      CIPHER.open("session", KEY, data);
      return true;
    } catch (CorruptedStoreException expected) {
      assertThat(expected.getMessage()).isNotBlank();
      return false;
    }
  }

  private static void checkRecords(byte[] data) {
    List<Decoder> decoders =
        List.of(
            Records::decodeContact,
            Records::decodeConversation,
            Records::decodeHistory,
            Records::decodeOutbox,
            Records::decodeMessage,
            Records::decodePin,
            Records::decodeReplay,
            Records::decodeCounters);
    for (Decoder d : decoders) {
      try {
        d.decode(data);
      } catch (CorruptedStoreException expected) {
        assertThat(expected.getMessage()).isNotBlank();
      }
    }
  }

  private interface Decoder {
    Object decode(byte[] data) throws CorruptedStoreException;
  }
}
