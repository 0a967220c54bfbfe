package dev.sotto.client.core.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.sotto.keystore.identity.IdentityKeyPair;
import dev.sotto.keystore.prekey.PreKeyBundle;
import dev.sotto.keystore.prekey.PreKeySet;
import dev.sotto.keystore.store.Direction;
import dev.sotto.keystore.store.HistoryEntry;
import dev.sotto.wire.proto.Address;
import dev.sotto.wire.proto.Content;
import dev.sotto.wire.proto.OneTimePreKey;
import dev.sotto.wire.proto.PreKeyBundleResponse;
import dev.sotto.wire.proto.PresenceState;
import dev.sotto.wire.proto.SignedPreKey;
import dev.sotto.wire.proto.Text;
import java.net.ProtocolException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MessengerConversionsTest {
  private static final byte[] ID = new byte[16];

  private static HistoryEntry row(byte[] content) {
    return new HistoryEntry("bob", 3, ID, Direction.INCOMING, "bob", 1_000, content);
  }

  @Test
  void toMessage_text_keepsTextAndSenderClock() {
    byte[] c =
        Content.newBuilder()
            .setVersion(1)
            .setSentAtMs(500)
            .setText(Text.newBuilder().setBody("hi"))
            .build()
            .toByteArray();
    Message m = Messenger.toMessage(row(c), MessageState.UNREAD);
    assertThat(m.kind()).isEqualTo(Message.Kind.TEXT);
    assertThat(m.text()).isEqualTo("hi");
    assertThat(m.sentAt()).isEqualTo(Instant.ofEpochMilli(500));
    assertThat(m.timestamp()).isEqualTo(Instant.ofEpochMilli(1_000));
    assertThat(m.seq()).isEqualTo(3);
    assertThat(m.incoming()).isTrue();
  }

  @Test
  void toMessage_emptyContent_isTheUndecryptableMarker() {
    Message m = Messenger.toMessage(row(new byte[0]), MessageState.UNREAD);
    assertThat(m.kind()).isEqualTo(Message.Kind.UNDECRYPTABLE);
    assertThat(m.text()).isEmpty();
  }

  @Test
  void toMessage_newerVersionOrGarbage_isUnsupportedNotAFailure() {
    byte[] newer =
        Content.newBuilder()
            .setVersion(2)
            .setText(Text.newBuilder().setBody("from the future"))
            .build()
            .toByteArray();
    assertThat(Messenger.toMessage(row(newer), MessageState.UNREAD).kind())
        .isEqualTo(Message.Kind.UNSUPPORTED);
    assertThat(Messenger.toMessage(row(new byte[] {(byte) 0xFF, 1}), MessageState.UNREAD).kind())
        .isEqualTo(Message.Kind.UNSUPPORTED);
  }

  @ParameterizedTest
  @EnumSource(MessageState.class)
  void messageState_roundTripsThroughTheStoreEnum(MessageState s) {
    assertThat(Messenger.fromStore(Messenger.toStore(s))).isEqualTo(s);
  }

  @ParameterizedTest
  @EnumSource(Presence.class)
  void presence_roundTripsThroughTheWire(Presence p) {
    assertThat(Messenger.fromWire(Messenger.toWire(p))).isEqualTo(p);
  }

  @Test
  void presence_unknownWireValue_isOffline() {
    assertThat(Messenger.fromWire(PresenceState.PRESENCE_UNSPECIFIED)).isEqualTo(Presence.OFFLINE);
  }

  private static PreKeyBundleResponse bundleOf(IdentityKeyPair id, PreKeySet set) {
    byte[] enc = id.publicKey().serialize();
    return PreKeyBundleResponse.newBuilder()
        .setAddress(Address.newBuilder().setUser("bob").setDeviceId(1))
        .setIdentitySigningKey(ByteString.copyFrom(id.publicKey().signingKey()))
        .setIdentityAgreementKey(
            SignedPreKey.newBuilder()
                .setPublicKey(ByteString.copyFrom(id.publicKey().agreementKey()))
                .setSignature(ByteString.copyFrom(Arrays.copyOfRange(enc, 64, 128))))
        .setSignedPreKey(
            SignedPreKey.newBuilder()
                .setId(set.signedPreKey().id())
                .setPublicKey(ByteString.copyFrom(set.signedPreKey().keyPair().publicKey()))
                .setSignature(ByteString.copyFrom(set.signedPreKey().signature())))
        .setOneTimePreKey(
            OneTimePreKey.newBuilder()
                .setId(set.oneTimePreKeys().get(0).id())
                .setPublicKey(
                    ByteString.copyFrom(set.oneTimePreKeys().get(0).keyPair().publicKey())))
        .setKemPreKey(
            SignedPreKey.newBuilder()
                .setId(set.lastResortKemPreKey().id())
                .setPublicKey(ByteString.copyFrom(set.lastResortKemPreKey().keyPair().publicKey()))
                .setSignature(ByteString.copyFrom(set.lastResortKemPreKey().signature())))
        .setKemPreKeyIsLastResort(true)
        .build();
  }

  @Test
  void toBundle_wireBundle_verifies() throws Exception {
    SecureRandom r = new SecureRandom();
    IdentityKeyPair id = IdentityKeyPair.generate(r);
    PreKeySet set = PreKeySet.generate(id, 1, 0, r);
    PreKeyBundle b = Messenger.toBundle("bob", bundleOf(id, set));
    b.verify();
    assertThat(b.identityKey()).isEqualTo(id.publicKey());
    assertThat(b.oneTimePreKeyId()).isEqualTo(set.oneTimePreKeys().get(0).id());
  }

  @Test
  void toBundle_identitySignatureBroken_protocolError() {
    SecureRandom r = new SecureRandom();
    IdentityKeyPair id = IdentityKeyPair.generate(r);
    PreKeySet set = PreKeySet.generate(id, 1, 0, r);
    PreKeyBundleResponse good = bundleOf(id, set);
    byte[] sig = good.getIdentityAgreementKey().getSignature().toByteArray();
    sig[0] ^= 1;
    PreKeyBundleResponse bad =
        good.toBuilder()
            .setIdentityAgreementKey(
                good.getIdentityAgreementKey().toBuilder().setSignature(ByteString.copyFrom(sig)))
            .build();
    assertThatThrownBy(() -> Messenger.toBundle("bob", bad))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("bob");
  }

  @Test
  void messageId_hexRoundTrip_andLengthChecked() {
    MessageId id = MessageId.random(new SecureRandom());
    assertThat(MessageId.parse(id.toString())).isEqualTo(id);
    assertThat(id.toString()).matches("[0-9a-f]{32}");
    assertThatThrownBy(() -> MessageId.of(new byte[15]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MessageId.parse("abcd")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void message_toString_showsNoText() {
    Message m =
        Messenger.toMessage(
            row(
                Content.newBuilder()
                    .setVersion(1)
                    .setText(Text.newBuilder().setBody("secret words"))
                    .build()
                    .toByteArray()),
            MessageState.UNREAD);
    assertThat(m.toString()).doesNotContain("secret").contains("12 chars");
  }
}
