package dev.sotto.server.mailbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.sotto.wire.WireException;
import dev.sotto.wire.WireLimits;
import dev.sotto.wire.proto.ErrorCode;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class EnvelopeCodecTest {
  private static final Address ALICE = new Address("alice", 1);

  private static dev.sotto.wire.proto.Envelope.Builder valid() {
    return dev.sotto.wire.proto.Envelope.newBuilder()
        .setMessageId(ByteString.copyFrom(new byte[16]))
        .setRecipient(dev.sotto.wire.proto.Address.newBuilder().setUser("Bob").setDeviceId(1))
        .setType(dev.sotto.wire.proto.EnvelopeType.MESSAGE)
        .setCiphertext(ByteString.copyFromUtf8("ct"));
  }

  @Test
  void fromClient_valid_senderFromLoginAndRecipientCaseFolded() throws Exception {
    dev.sotto.wire.proto.Envelope p =
        valid()
            .setSender(dev.sotto.wire.proto.Address.newBuilder().setUser("mallory").setDeviceId(1))
            .setServerTimeMs(99)
            .build();
    Envelope e = EnvelopeCodec.fromClient(p, ALICE);
    assertThat(e.sender()).isEqualTo(ALICE);
    assertThat(e.recipient()).isEqualTo(new Address("bob", 1));
    assertThat(e.serverTimeMs()).isZero();
    assertThat(EnvelopeCodec.fromBytes(EnvelopeCodec.toBytes(e))).isEqualTo(e);
    assertThat(EnvelopeCodec.toProto(e.withServerTime(5)).getServerTimeMs()).isEqualTo(5);
  }

  @Test
  void fromClient_badFields_rejectedWithTheirCodes() {
    expect(ErrorCode.INVALID_REQUEST, b -> b.setMessageId(ByteString.copyFrom(new byte[15])));
    expect(ErrorCode.INVALID_REQUEST, b -> b.clearRecipient());
    expect(
        ErrorCode.INVALID_REQUEST,
        b -> b.setType(dev.sotto.wire.proto.EnvelopeType.ENVELOPE_UNSPECIFIED));
    expect(ErrorCode.INVALID_REQUEST, b -> b.setCiphertext(ByteString.EMPTY));
    expect(
        ErrorCode.MESSAGE_TOO_LARGE,
        b -> b.setCiphertext(ByteString.copyFrom(new byte[WireLimits.MAX_MESSAGE_BYTES + 1])));
    expect(
        ErrorCode.INVALID_USERNAME,
        b ->
            b.setRecipient(dev.sotto.wire.proto.Address.newBuilder().setUser("b!").setDeviceId(1)));
  }

  @Test
  void ackIds_validAndInvalid() throws Exception {
    var ok =
        dev.sotto.wire.proto.AckMessages.newBuilder()
            .addMessageIds(ByteString.copyFrom(new byte[16]))
            .build();
    assertThat(EnvelopeCodec.ackIds(ok)).containsExactly(MessageId.of(new byte[16]));
    var bad =
        dev.sotto.wire.proto.AckMessages.newBuilder()
            .addMessageIds(ByteString.copyFrom(new byte[3]))
            .build();
    assertThatThrownBy(() -> EnvelopeCodec.ackIds(bad)).isInstanceOf(WireException.class);
  }

  private static void expect(
      ErrorCode code, UnaryOperator<dev.sotto.wire.proto.Envelope.Builder> change) {
    dev.sotto.wire.proto.Envelope p = change.apply(valid()).build();
    assertThatThrownBy(() -> EnvelopeCodec.fromClient(p, ALICE))
        .isInstanceOf(WireException.class)
        .satisfies(e -> assertThat(((WireException) e).code()).isEqualTo(code));
  }
}
