package dev.sotto.bench.load;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * One client connection of the load generator. All of them run on the generator's single event
 * loop, so nothing here is synchronized. Writes are coalesced: {@link #send} and acks only append
 * to a buffer, and {@link #flush} (once per pacing tick, for the connections that have something)
 * writes it in one go.
 */
abstract class LoadConnection {
  /** What the workloads learn from a connection. */
  interface Sink {
    /** A message arrived; {@code id} is the 16-byte id the sender chose. */
    void delivered(LoadConnection at, byte[] id, long nowNanos);

    /** Every message sent since the last {@link #markBatchEnd} is stored by the server. */
    void batchStored(LoadConnection at, long nowNanos);

    /** The server confirmed one message as stored (Sotto and the relay only). */
    default void stored(LoadConnection at, long nowNanos) {}

    /** {@code count} messages are durable in this connection's client store (W3 only). */
    default void durable(LoadConnection at, int count, long nowNanos) {}

    /** The server refused something or the connection failed; the run notes it. */
    void failed(LoadConnection at, String what);
  }

  final int index;
  final String username;
  final Sink sink;
  final List<LoadConnection> dirtyList;
  private final NetClient client;
  private final String host;
  private final int port;
  NetSocket socket;
  Buffer out = Buffer.buffer(4096);
  boolean dirty;
  boolean closed;

  LoadConnection(
      int index,
      String username,
      Sink sink,
      List<LoadConnection> dirtyList,
      NetClient client,
      String host,
      int port) {
    this.index = index;
    this.username = username;
    this.sink = sink;
    this.dirtyList = dirtyList;
    this.client = client;
    this.host = host;
    this.port = port;
  }

  /** Connects and logs in (or just connects, for the relay). */
  abstract Future<Void> open();

  /** Queues one message to {@code to}. */
  abstract void send(LoadConnection to, byte[] id, Payload payload);

  /** Marks the end of a batch: {@link Sink#batchStored} follows when all of it is stored. */
  abstract void markBatchEnd();

  /** Appends pending acks (if the protocol has them) to the output. */
  void appendAcks() {}

  /** Opens the TCP connection to the target and {@linkplain #attach attaches} it. */
  final Future<NetSocket> connect() {
    return client
        .connect(port, host)
        .map(
            s -> {
              attach(s, LoadMain.WIRE);
              return s;
            });
  }

  private void attach(NetSocket s, WireCounter counter) {
    socket = s;
    ((NetSocketInternal) s)
        .channelHandlerContext()
        .pipeline()
        .addFirst("sotto-wire-counter", counter);
    s.closeHandler(
        v -> {
          if (!closed) {
            closed = true;
            sink.failed(this, "connection closed by the server");
          }
        });
    s.exceptionHandler(e -> sink.failed(this, "connection error: " + e.getClass().getSimpleName()));
  }

  final void markDirty() {
    if (!dirty) {
      dirty = true;
      dirtyList.add(this);
    }
  }

  /** Writes whatever is queued. */
  final void flush() {
    dirty = false;
    appendAcks();
    if (out.length() > 0 && !closed) {
      socket.write(out);
      out = Buffer.buffer(Math.max(256, out.length()));
    }
  }

  /** Closes without reporting a failure. */
  final Future<Void> close() {
    closed = true;
    return socket == null ? Future.succeededFuture() : socket.close();
  }

  /** Flushes every connection in {@code dirty} and empties the list. */
  static void flushAll(List<LoadConnection> dirty) {
    for (int i = 0; i < dirty.size(); i++) {
      dirty.get(i).flush();
    }
    dirty.clear();
  }

  static List<LoadConnection> newDirtyList() {
    return new ArrayList<>();
  }
}
