package dev.sotto.client.core.messaging;

import static dev.sotto.client.core.messaging.Conversions.*;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.sotto.keystore.InvalidKeyException;
import dev.sotto.keystore.identity.IdentityKey;
import dev.sotto.keystore.prekey.PreKeyBundle;
import dev.sotto.keystore.store.Direction;
import dev.sotto.keystore.store.HistoryEntry;
import dev.sotto.wire.proto.Content;
import dev.sotto.wire.proto.PreKeyBundleResponse;
import dev.sotto.wire.proto.PresenceState;
import java.net.ProtocolException;
import java.time.Instant;

/** Mapping between wire, store and API types: pure functions, no state. */
final class Conversions {
  /** The {@code Content.version} this client writes and understands. */
  static final int CONTENT_VERSION = 1;

  Conversions() {}

  static Message toMessage(HistoryEntry h, MessageState state) {
    byte[] raw = h.content();
    Message.Kind kind;
    String text = "";
    Instant ts = Instant.ofEpochMilli(h.timestampMillis());
    Instant sentAt = ts;
    if (raw.length == 0) {
      kind = Message.Kind.UNDECRYPTABLE;
    } else {
      kind = Message.Kind.UNSUPPORTED;
      try {
        Content c = Content.parseFrom(raw);
        if (c.getSentAtMs() > 0) {
          sentAt = Instant.ofEpochMilli(c.getSentAtMs());
        }
        if (c.getVersion() == CONTENT_VERSION && c.getBodyCase() == Content.BodyCase.TEXT) {
          kind = Message.Kind.TEXT;
          text = c.getText().getBody();
        }
      } catch (InvalidProtocolBufferException e) {
        kind = Message.Kind.UNSUPPORTED;
      }
    }
    return new Message(
        h.conversation(),
        h.seq(),
        MessageId.of(h.messageId()),
        h.direction() == Direction.INCOMING
            ? Message.Direction.INCOMING
            : Message.Direction.OUTGOING,
        h.sender(),
        ts,
        sentAt,
        kind,
        text,
        state);
  }

  static MessageState fromStore(dev.sotto.keystore.store.MessageState s) {
    return switch (s) {
      case PENDING -> MessageState.SENDING;
      case SENT -> MessageState.STORED;
      case DELIVERED -> MessageState.DELIVERED;
      case READ -> MessageState.READ;
      case FAILED -> MessageState.FAILED;
      case RECEIVED -> MessageState.UNREAD;
      case SEEN -> MessageState.SEEN;
    };
  }

  static dev.sotto.keystore.store.MessageState toStore(MessageState s) {
    return switch (s) {
      case SENDING -> dev.sotto.keystore.store.MessageState.PENDING;
      case STORED -> dev.sotto.keystore.store.MessageState.SENT;
      case DELIVERED -> dev.sotto.keystore.store.MessageState.DELIVERED;
      case READ -> dev.sotto.keystore.store.MessageState.READ;
      case FAILED -> dev.sotto.keystore.store.MessageState.FAILED;
      case UNREAD -> dev.sotto.keystore.store.MessageState.RECEIVED;
      case SEEN -> dev.sotto.keystore.store.MessageState.SEEN;
    };
  }

  static Presence fromWire(PresenceState p) {
    return switch (p) {
      case ONLINE -> Presence.ONLINE;
      case AWAY -> Presence.AWAY;
      case DND -> Presence.DND;
      default -> Presence.OFFLINE;
    };
  }

  static PresenceState toWire(Presence p) {
    return switch (p) {
      case ONLINE -> PresenceState.ONLINE;
      case AWAY -> PresenceState.AWAY;
      case DND -> PresenceState.DND;
      case OFFLINE -> PresenceState.OFFLINE;
    };
  }

  static PreKeyBundle toBundle(String peer, PreKeyBundleResponse r) throws ProtocolException {
    try {
      IdentityKey identity =
          IdentityKey.decode(
              dev.sotto.keystore.codec.ByteWriter.concat(
                  r.getIdentitySigningKey().toByteArray(),
                  r.getIdentityAgreementKey().getPublicKey().toByteArray(),
                  r.getIdentityAgreementKey().getSignature().toByteArray()));
      int device =
          r.hasAddress() && r.getAddress().getDeviceId() != 0 ? r.getAddress().getDeviceId() : 1;
      return new PreKeyBundle(
          device,
          identity,
          r.getSignedPreKey().getId(),
          r.getSignedPreKey().getPublicKey().toByteArray(),
          r.getSignedPreKey().getSignature().toByteArray(),
          r.hasOneTimePreKey() ? r.getOneTimePreKey().getId() : 0,
          r.hasOneTimePreKey() ? r.getOneTimePreKey().getPublicKey().toByteArray() : null,
          r.getKemPreKey().getId(),
          r.getKemPreKey().getPublicKey().toByteArray(),
          r.getKemPreKey().getSignature().toByteArray());
    } catch (InvalidKeyException e) {
      throw new ProtocolException(
          "The server sent an invalid identity for " + peer + ": " + e.getMessage());
    }
  }

  static int rank(MessageState s) {
    return switch (s) {
      case SENDING -> 0;
      case STORED -> 1;
      case DELIVERED -> 2;
      case READ -> 3;
      default -> 4;
    };
  }
}
