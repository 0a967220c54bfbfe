package dev.sotto.server.delivery;

import com.google.protobuf.ByteString;
import dev.sotto.server.mailbox.MessageId;
import dev.sotto.server.presence.Presence;
import dev.sotto.wire.proto.Stored;
import java.util.Objects;

/**
 * What the sender is told once its envelope is durable (one tick). The same for a message a block
 * dropped, so the sender cannot tell.
 *
 * @param held the recipient is offline or in DND: the message waits in the mailbox
 * @param serverTimeMs when the server first stored it
 */
public record SendOutcome(
    MessageId messageId, boolean held, Presence recipientPresence, long serverTimeMs) {
  public SendOutcome {
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(recipientPresence, "recipientPresence");
  }

  /** The wire form. */
  public Stored toProto() {
    return Stored.newBuilder()
        .setMessageId(ByteString.copyFrom(messageId.toBytes()))
        .setHeld(held)
        .setRecipientPresence(recipientPresence.toProto())
        .build();
  }
}
