package dev.sotto.bench.relay;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.sotto.server.net.NativeIo;
import dev.sotto.server.net.ServerVerticle;
import dev.sotto.server.tls.ServerCertificate;
import dev.sotto.wire.FrameCodec;
import dev.sotto.wire.WireException;
import dev.sotto.wire.WireLimits;
import dev.sotto.wire.proto.Address;
import dev.sotto.wire.proto.Envelope;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.MessagePush;
import dev.sotto.wire.proto.Ok;
import dev.sotto.wire.proto.PresenceState;
import dev.sotto.wire.proto.Stored;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.security.SecureRandom;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;

/**
 * The limit relay. Connections are paired in the order they are accepted (the first with the
 * second, the third with the fourth, ...); for each {@code SendMessage} it answers the sender with
 * {@code Stored} and pushes the envelope to the partner as {@code MessagePush}; for each {@code
 * AckMessages} it answers {@code Ok}. Frames are decoded and encoded with the same protobuf code as
 * the server's, over the same TLS settings ({@link ServerVerticle#TLS_VERSION} only, TCP_NODELAY, a
 * self-signed certificate made by {@link ServerCertificate}), so what it costs per message is the
 * part of Sotto's cost that no server logic can remove.
 *
 * <p>Run: {@code java -cp ... dev.sotto.bench.relay.LimitRelay [HOST:PORT] [EVENT_LOOPS]}; it
 * prints {@code listening on HOST:PORT} and runs until killed.
 */
public final class LimitRelay {
  private static final int MAX_FRAME = WireLimits.MAX_FRAME_AFTER_LOGIN;

  private LimitRelay() {}

  /** Starts the relay and waits until the JVM is stopped. */
  public static void main(String[] args) throws Exception {
    String listen = args.length > 0 ? args[0] : "127.0.0.1:7444";
    int loops =
        args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
    int colon = listen.lastIndexOf(':');
    String host = listen.substring(0, colon);
    int port = Integer.parseInt(listen.substring(colon + 1));
    Vertx vertx =
        Vertx.vertx(
            new VertxOptions()
                .setEventLoopPoolSize(loops)
                .setPreferNativeTransport(NativeIo.enabled()));
    KeyManagerFactory kmf = ServerCertificate.generate(new SecureRandom()).keyManagerFactory();
    Pairing pairing = new Pairing();
    RelayVerticle[] first = new RelayVerticle[1];
    vertx
        .deployVerticle(
            () -> {
              RelayVerticle v = new RelayVerticle(kmf, host, port, pairing);
              synchronized (first) {
                if (first[0] == null) {
                  first[0] = v;
                }
              }
              return v;
            },
            new DeploymentOptions().setInstances(loops))
        .await(30, TimeUnit.SECONDS);
    System.out.println("listening on " + host + ":" + first[0].server.actualPort());
    System.out.flush();
    // Vert.x event-loop threads keep the JVM running until it is killed.
  }

  /** Pairs connections in accept order. */
  static final class Pairing {
    private Peer waiting;

    synchronized void join(Peer p) {
      if (waiting == null || waiting.closed) {
        waiting = p;
      } else {
        waiting.partner = p;
        p.partner = waiting;
        waiting = null;
      }
    }
  }

  /** One relayed connection. */
  static final class Peer {
    final NetSocket socket;
    volatile Peer partner;
    volatile boolean closed;

    Peer(NetSocket socket) {
      this.socket = socket;
    }

    void onFrame(Buffer body) {
      Frame frame;
      try {
        frame = Frame.parseFrom(body.getBytes());
      } catch (InvalidProtocolBufferException e) {
        socket.close();
        return;
      }
      switch (frame.getBodyCase()) {
        case SEND_MESSAGE -> {
          Envelope in = frame.getSendMessage().getEnvelope();
          socket.write(
              encode(
                  Frame.newBuilder()
                      .setRequestId(frame.getRequestId())
                      .setStored(
                          Stored.newBuilder()
                              .setMessageId(in.getMessageId())
                              .setRecipientPresence(PresenceState.ONLINE))
                      .build()));
          Peer to = partner;
          if (to != null && !to.closed) {
            Envelope out =
                in.toBuilder()
                    .setSender(Address.newBuilder().setUser("relay").setDeviceId(1))
                    .setServerTimeMs(System.currentTimeMillis())
                    .build();
            to.socket.write(
                encode(
                    Frame.newBuilder()
                        .setMessagePush(MessagePush.newBuilder().setEnvelope(out))
                        .build()));
          }
        }
        case ACK_MESSAGES -> {
          if (frame.getRequestId() != 0) {
            socket.write(
                encode(
                    Frame.newBuilder()
                        .setRequestId(frame.getRequestId())
                        .setOk(Ok.getDefaultInstance())
                        .build()));
          }
        }
        default -> {
          // No handshake, accounts or anything else: ignored.
        }
      }
    }
  }

  static Buffer encode(Frame f) {
    return Buffer.buffer(FrameCodec.encode(f));
  }

  /** One TLS listener on one event loop. */
  static final class RelayVerticle extends VerticleBase {
    private final KeyManagerFactory kmf;
    private final String host;
    private final int port;
    private final Pairing pairing;
    NetServer server;

    RelayVerticle(KeyManagerFactory kmf, String host, int port, Pairing pairing) {
      this.kmf = kmf;
      this.host = host;
      this.port = port;
      this.pairing = pairing;
    }

    @Override
    public Future<?> start() {
      server =
          vertx.createNetServer(
              new NetServerOptions()
                  .setHost(host)
                  .setPort(port)
                  .setSsl(true)
                  .setSslEngineOptions(NativeIo.tlsEngine())
                  .setKeyCertOptions(KeyCertOptions.wrap(kmf))
                  .setEnabledSecureTransportProtocols(Set.of(ServerVerticle.TLS_VERSION))
                  .setTcpNoDelay(true));
      server.connectHandler(
          socket -> {
            Peer peer = new Peer(socket);
            pairing.join(peer);
            RecordParser parser = RecordParser.newFixed(FrameCodec.LENGTH_BYTES);
            boolean[] inBody = {false};
            parser.handler(
                record -> {
                  if (!inBody[0]) {
                    int len;
                    try {
                      len = FrameCodec.decodeLength(record.getBytes(), 0, MAX_FRAME);
                    } catch (WireException e) {
                      socket.close();
                      return;
                    }
                    inBody[0] = true;
                    parser.fixedSizeMode(len);
                  } else {
                    inBody[0] = false;
                    parser.fixedSizeMode(FrameCodec.LENGTH_BYTES);
                    peer.onFrame(record);
                  }
                });
            socket.handler(parser);
            socket.closeHandler(v -> peer.closed = true);
          });
      return server.listen();
    }
  }
}
