package dev.sotto.server.mailbox;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.sotto.wire.proto.ErrorCode;
import java.util.regex.Pattern;

/**
 * Converts envelopes between the wire schema and the domain record, validating what a client sends.
 * Also the storage encoding of an envelope inside a sealed mailbox entry.
 */
public final class EnvelopeCodec {
  private static final Pattern USERNAME = Pattern.compile("[a-z0-9._-]{3,32}");

  private EnvelopeCodec() {}

  /**
   * Validates a client's envelope and stamps it with the authenticated sender. The client's own
   * {@code sender} and {@code server_time_ms} fields are ignored.
   *
   * @param maxCiphertextBytes the announced {@code max_message_bytes}
   * @throws InvalidEnvelopeException with {@code INVALID_REQUEST} or {@code MESSAGE_TOO_LARGE}
   */
  public static Envelope fromClient(
      dev.sotto.wire.proto.Envelope proto, Address sender, int maxCiphertextBytes)
      throws InvalidEnvelopeException {
    if (proto.getMessageId().size() != MessageId.LENGTH) {
      throw invalid(
          "The message id must be "
              + MessageId.LENGTH
              + " bytes, got "
              + proto.getMessageId().size()
              + ".");
    }
    if (!proto.hasRecipient() || !USERNAME.matcher(proto.getRecipient().getUser()).matches()) {
      throw invalid("The recipient is not a valid username.");
    }
    if (proto.getRecipient().getDeviceId() < 1) {
      throw invalid("The recipient device id must be positive.");
    }
    EnvelopeType type =
        switch (proto.getType()) {
          case PRE_KEY_MESSAGE -> EnvelopeType.PRE_KEY_MESSAGE;
          case MESSAGE -> EnvelopeType.MESSAGE;
          default -> throw invalid("The envelope type is missing or unknown.");
        };
    int size = proto.getCiphertext().size();
    if (size == 0) {
      throw invalid("The message is empty.");
    }
    if (size > maxCiphertextBytes) {
      throw new InvalidEnvelopeException(
          ErrorCode.MESSAGE_TOO_LARGE,
          "The message is " + size + " bytes; at most " + maxCiphertextBytes + " are accepted.");
    }
    return new Envelope(
        MessageId.of(proto.getMessageId().toByteArray()),
        sender,
        new Address(proto.getRecipient().getUser(), proto.getRecipient().getDeviceId()),
        type,
        proto.getCiphertext().toByteArray(),
        0);
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

  private static InvalidEnvelopeException invalid(String message) {
    return new InvalidEnvelopeException(ErrorCode.INVALID_REQUEST, message);
  }
}
