package dev.sotto.server.mailbox;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.sotto.wire.Validation;
import dev.sotto.wire.WireException;

/**
 * Converts envelopes between the wire schema and the domain record, validating what a client sends.
 * Also the storage encoding of an envelope inside a sealed mailbox entry.
 */
public final class EnvelopeCodec {
  private EnvelopeCodec() {}

  /**
   * Validates a client's envelope ({@link Validation#envelope}) and stamps it with the
   * authenticated sender. The client's own {@code sender} and {@code server_time_ms} fields are
   * ignored.
   *
   * @throws WireException {@code INVALID_REQUEST}, {@code INVALID_USERNAME} or {@code
   *     MESSAGE_TOO_LARGE}, with a sentence for the user
   */
  public static Envelope fromClient(dev.sotto.wire.proto.Envelope proto, Address sender)
      throws WireException {
    Validation.envelope(proto);
    dev.sotto.wire.proto.Address recipient = Validation.address(proto.getRecipient());
    return new Envelope(
        MessageId.of(proto.getMessageId().toByteArray()),
        sender,
        new Address(recipient.getUser(), recipient.getDeviceId()),
        proto.getType() == dev.sotto.wire.proto.EnvelopeType.PRE_KEY_MESSAGE
            ? EnvelopeType.PRE_KEY_MESSAGE
            : EnvelopeType.MESSAGE,
        proto.getCiphertext().toByteArray(),
        0);
  }

  /**
   * The message ids of a client's {@code AckMessages} ({@link Validation#ackMessages}).
   *
   * @throws WireException {@code INVALID_REQUEST} for an empty list or an id that is not 16 bytes
   */
  public static java.util.List<MessageId> ackIds(dev.sotto.wire.proto.AckMessages ack)
      throws WireException {
    Validation.ackMessages(ack);
    return ack.getMessageIdsList().stream().map(id -> MessageId.of(id.toByteArray())).toList();
  }

  /** The wire form of {@code envelope}, as pushed to the recipient. */
  public static dev.sotto.wire.proto.Envelope toProto(Envelope envelope) {
    return dev.sotto.wire.proto.Envelope.newBuilder()
        .setMessageId(ByteString.copyFrom(envelope.messageId().rawBytes()))
        .setSender(address(envelope.sender()))
        .setRecipient(address(envelope.recipient()))
        .setType(
            envelope.type() == EnvelopeType.PRE_KEY_MESSAGE
                ? dev.sotto.wire.proto.EnvelopeType.PRE_KEY_MESSAGE
                : dev.sotto.wire.proto.EnvelopeType.MESSAGE)
        .setCiphertext(ByteString.copyFrom(envelope.ciphertext()))
        .setServerTimeMs(envelope.serverTimeMs())
        .build();
  }

  static byte[] toBytes(Envelope envelope) {
    return toProto(envelope).toByteArray();
  }

  /** Decodes the storage form; only the server's own, authenticated bytes reach this. */
  static Envelope fromBytes(byte[] bytes) throws InvalidProtocolBufferException {
    dev.sotto.wire.proto.Envelope p = dev.sotto.wire.proto.Envelope.parseFrom(bytes);
    return new Envelope(
        MessageId.of(p.getMessageId().toByteArray()),
        new Address(p.getSender().getUser(), p.getSender().getDeviceId()),
        new Address(p.getRecipient().getUser(), p.getRecipient().getDeviceId()),
        p.getType() == dev.sotto.wire.proto.EnvelopeType.PRE_KEY_MESSAGE
            ? EnvelopeType.PRE_KEY_MESSAGE
            : EnvelopeType.MESSAGE,
        p.getCiphertext().toByteArray(),
        p.getServerTimeMs());
  }

  private static dev.sotto.wire.proto.Address address(Address a) {
    return dev.sotto.wire.proto.Address.newBuilder()
        .setUser(a.user())
        .setDeviceId(a.deviceId())
        .build();
  }
}
