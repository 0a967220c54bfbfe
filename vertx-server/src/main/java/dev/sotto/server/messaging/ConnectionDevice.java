package dev.sotto.server.messaging;

import dev.sotto.server.delivery.DeviceConnection;
import dev.sotto.server.mailbox.Address;
import dev.sotto.server.mailbox.Envelope;
import dev.sotto.server.mailbox.EnvelopeCodec;
import dev.sotto.server.net.Connection;
import dev.sotto.wire.proto.BacklogDone;
import dev.sotto.wire.proto.BacklogSummary;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.MessagePush;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A logged-in {@link Connection} as delivery sees it. Pushes go through {@link
 * Connection#offerPush}, which queues them on the connection's event loop in call order and refuses
 * them while too many bytes are waiting for the socket; the envelope then stays in the mailbox.
 */
final class ConnectionDevice implements DeviceConnection {

  private final Connection connection;
  private final Address address;

  ConnectionDevice(Connection connection) {
    this.connection = Objects.requireNonNull(connection, "connection");
    this.address = new Address(connection.user(), connection.deviceId());
  }

  @Override
  public Address address() {
    return address;
  }

  @Override
  public boolean push(Envelope envelope) {
    return connection.offerPush(
        Frame.newBuilder()
            .setMessagePush(MessagePush.newBuilder().setEnvelope(EnvelopeCodec.toProto(envelope)))
            .build());
  }

  @Override
  public void pushBacklogSummary(Map<String, Integer> countsBySender) {
    BacklogSummary.Builder b = BacklogSummary.newBuilder();
    for (Map.Entry<String, Integer> e : new TreeMap<>(countsBySender).entrySet()) {
      b.addCounts(BacklogSummary.Count.newBuilder().setSender(e.getKey()).setCount(e.getValue()));
    }
    // Control frames are small and must not be lost: queued without the push budget.
    connection.pushInOrder(Frame.newBuilder().setBacklogSummary(b).build());
  }

  @Override
  public void pushBacklogDone() {
    connection.pushInOrder(
        Frame.newBuilder().setBacklogDone(BacklogDone.getDefaultInstance()).build());
  }

  @Override
  public String toString() {
    return "ConnectionDevice[" + connection + "]";
  }
}
