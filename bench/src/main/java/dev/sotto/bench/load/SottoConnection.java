package dev.sotto.bench.load;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.sotto.keystore.account.AccountKeys;
import dev.sotto.keystore.account.KdfParameters;
import dev.sotto.wire.FrameCodec;
import dev.sotto.wire.WireException;
import dev.sotto.wire.WireLimits;
import dev.sotto.wire.proto.AckMessages;
import dev.sotto.wire.proto.Address;
import dev.sotto.wire.proto.Envelope;
import dev.sotto.wire.proto.EnvelopeType;
import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.Hello;
import dev.sotto.wire.proto.KdfParams;
import dev.sotto.wire.proto.Login;
import dev.sotto.wire.proto.Ping;
import dev.sotto.wire.proto.Register;
import dev.sotto.wire.proto.SendMessage;
import dev.sotto.wire.proto.WatchPresence;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.parsetools.RecordParser;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Speaks Sotto's protocol: Hello, Register (or Login when the account exists) with keys derived by
 * {@link AccountKeys#derive} at a lowered Argon2id cost, then {@code SendMessage} / {@code
 * MessagePush} / {@code AckMessages}. Acks are coalesced: one {@code AckMessages} per flush with
 * every id received since the last one (at most {@link #MAX_ACK_IDS} ids each); with a {@link
 * ClientInbox} (W3's drain) an id is acked only once the recipient's own store has it. For the
 * limit relay ({@code relay == true}) it skips the handshake and the login: the relay has neither.
 */
final class SottoConnection extends LoadConnection {
  /**
   * The lowered Argon2id cost the bench accounts use (8 MiB, 1 pass, the server's floor; the
   * default is 64 MiB, 3 passes).
   */
  static final KdfParameters BENCH_KDF = new KdfParameters(8192, 1, 1);

  /** Ids per {@code AckMessages}: the client's {@code Receiver.MAX_ACK_IDS}. */
  static final int MAX_ACK_IDS = 500;

  private final boolean relay;
  private final char[] password;
  private final Map<Long, Promise<Frame>> requests = new HashMap<>();
  private final List<ByteString> acks = new ArrayList<>();
  private long nextRequestId = 1;
  private int awaitingStored;
  private boolean batchMarked;
  private int maxFrame = WireLimits.MAX_FRAME_BEFORE_LOGIN;
  private ClientInbox inbox;
  private boolean accountExists;
  private List<String> watched = List.of();
  private List<Envelope> burst = new ArrayList<>();
  private volatile Context loop;
  private long heartbeatMs;

  SottoConnection(
      int index,
      String username,
      Sink sink,
      List<LoadConnection> dirtyList,
      NetClient client,
      String host,
      int port,
      boolean relay,
      char[] password) {
    super(index, username, sink, dirtyList, client, host, port);
    this.relay = relay;
    this.password = password;
  }

  @Override
  Future<Void> open() {
    return connect()
        .compose(
            s -> {
              RecordParser parser = RecordParser.newFixed(FrameCodec.LENGTH_BYTES);
              boolean[] inBody = {false};
              parser.handler(
                  record -> {
                    if (!inBody[0]) {
                      int len;
                      try {
                        len = FrameCodec.decodeLength(record.getBytes(), 0, maxFrame);
                      } catch (WireException e) {
                        sink.failed(this, "bad frame length from the server");
                        s.close();
                        return;
                      }
                      inBody[0] = true;
                      parser.fixedSizeMode(len);
                    } else {
                      inBody[0] = false;
                      parser.fixedSizeMode(FrameCodec.LENGTH_BYTES);
                      onFrame(record);
                    }
                  });
              loop = Vertx.currentContext();
              s.handler(
                  buffer -> {
                    parser.handle(buffer);
                    endOfReadBurst();
                  });
              if (relay) {
                maxFrame = WireLimits.MAX_FRAME_AFTER_LOGIN;
                return Future.succeededFuture();
              }
              return login();
            });
  }

  private Future<Void> login() {
    return request(
            Frame.newBuilder()
                .setHello(Hello.newBuilder().setProtocolVersion(1).setClient("sotto-loadgen/0.1")))
        .compose(
            welcome -> {
              if (!welcome.hasWelcome()) {
                return Future.failedFuture("expected Welcome, got " + welcome.getBodyCase());
              }
              heartbeatMs = welcome.getWelcome().getLimits().getHeartbeatIntervalMs();
              byte[] serverId = welcome.getWelcome().getServerId().toByteArray();
              AccountKeys keys = AccountKeys.derive(password, serverId, username, BENCH_KDF);
              ByteString auth = ByteString.copyFrom(keys.authKey());
              keys.destroy();
              if (accountExists) {
                return request(loginFrame(auth));
              }
              return request(
                      Frame.newBuilder()
                          .setRegister(
                              Register.newBuilder()
                                  .setUsername(username)
                                  .setKdfParams(
                                      KdfParams.newBuilder()
                                          .setMemoryKib(BENCH_KDF.memoryKib())
                                          .setIterations(BENCH_KDF.iterations())
                                          .setParallelism(BENCH_KDF.parallelism()))
                                  .setAuthKey(auth)))
                  .compose(
                      r -> {
                        if (r.hasError() && r.getError().getCode() == ErrorCode.USERNAME_TAKEN) {
                          return request(loginFrame(auth));
                        }
                        return Future.succeededFuture(r);
                      });
            })
        .compose(
            ok -> {
              if (!ok.hasLoginOk()) {
                return Future.failedFuture(
                    username
                        + ": login failed: "
                        + (ok.hasError()
                            ? ok.getError().getCode() + " " + ok.getError().getMessage()
                            : ok.getBodyCase()));
              }
              maxFrame = WireLimits.MAX_FRAME_AFTER_LOGIN;
              startHeartbeat();
              return watched.isEmpty() ? Future.succeededFuture() : watchPresence();
            });
  }

  /**
   * Pings at the interval the server announced, as the real client does: without it a W3 recipient
   * that had drained its backlog sat silent through the others' drains and the server closed it
   * after its idle timeout (counted as errors in two of six W3 runs).
   */
  private void startHeartbeat() {
    if (heartbeatMs <= 0 || loop == null) {
      return;
    }
    Vertx vertx = loop.owner();
    vertx.setPeriodic(
        heartbeatMs,
        id -> {
          if (closed) {
            vertx.cancelTimer(id);
          } else {
            request(Frame.newBuilder().setPing(Ping.newBuilder().setNonce(id)));
          }
        });
  }

  private Future<Void> watchPresence() {
    return request(
            Frame.newBuilder()
                .setWatchPresence(WatchPresence.newBuilder().addAllUsernames(watched)))
        .compose(
            ok ->
                ok.hasOk()
                    ? Future.succeededFuture()
                    : Future.failedFuture(
                        username + ": WatchPresence refused: " + ok.getError().getCode()));
  }

  /** After login, send {@code WatchPresence} with these users and wait for its {@code Ok}. */
  void watchAfterLogin(List<String> users) {
    watched = List.copyOf(users);
  }

  private Frame.Builder loginFrame(ByteString auth) {
    return Frame.newBuilder()
        .setLogin(Login.newBuilder().setUsername(username).setAuthKey(auth).setDeviceId(1));
  }

  /**
   * The account exists (made earlier in this run): log in without trying Register first, as a
   * returning client does (one auth attempt instead of two against the server's throttle).
   */
  void accountExists() {
    accountExists = true;
  }

  private Future<Frame> request(Frame.Builder frame) {
    long id = nextRequestId++;
    Promise<Frame> p = Promise.promise();
    requests.put(id, p);
    socket.write(Buffer.buffer(FrameCodec.encode(frame.setRequestId(id).build())));
    return p.future();
  }

  private void onFrame(Buffer body) {
    Frame f;
    try {
      f = Frame.parseFrom(body.getBytes());
    } catch (InvalidProtocolBufferException e) {
      sink.failed(this, "undecodable frame from the server");
      return;
    }
    long now = System.nanoTime();
    switch (f.getBodyCase()) {
      case MESSAGE_PUSH -> {
        Envelope env = f.getMessagePush().getEnvelope();
        if (inbox != null) {
          burst.add(env); // acked once the client store has it
        } else {
          acks.add(env.getMessageId());
          markDirty();
        }
        sink.delivered(this, env.getMessageId().toByteArray(), now);
      }
      case STORED -> onStored(now);
      default -> {
        Promise<Frame> p = f.getRequestId() == 0 ? null : requests.remove(f.getRequestId());
        if (p != null) {
          p.complete(f);
        } else if (f.hasError()) {
          sink.failed(this, "server error " + f.getError().getCode());
          onStored(now); // a refused message is not awaited any longer
        }
      }
    }
  }

  /**
   * From now on each pushed message is written into {@code inbox} (the recipient's own client
   * store) and acked only after that write is durable, instead of on arrival.
   */
  void storeInto(ClientInbox inbox) {
    this.inbox = inbox;
  }

  /** A callback for {@link ClientInbox}: hands a commit over to this connection's event loop. */
  void durableOnWorker(ClientInbox.Durable d) {
    loop.runOnContext(v -> onDurable(d));
  }

  private void endOfReadBurst() {
    if (!burst.isEmpty()) {
      inbox.enqueue(burst);
      burst = new ArrayList<>();
    }
  }

  private void onDurable(ClientInbox.Durable d) {
    if (closed) {
      return; // the server sends them again at the next login
    }
    acks.addAll(d.ids());
    flush();
    sink.durable(this, d.ids().size(), d.nanos());
  }

  private void onStored(long now) {
    sink.stored(this, now);
    awaitingStored--;
    if (awaitingStored == 0 && batchMarked) {
      batchMarked = false;
      sink.batchStored(this, now);
    }
  }

  @Override
  void send(LoadConnection to, byte[] id, Payload payload) {
    Frame f =
        Frame.newBuilder()
            .setRequestId(nextRequestId++)
            .setSendMessage(
                SendMessage.newBuilder()
                    .setEnvelope(
                        Envelope.newBuilder()
                            .setMessageId(ByteString.copyFrom(id))
                            .setRecipient(Address.newBuilder().setUser(to.username).setDeviceId(1))
                            .setType(EnvelopeType.MESSAGE)
                            .setCiphertext(payload.bytes())))
            .build();
    out.appendBytes(FrameCodec.encode(f));
    awaitingStored++;
    markDirty();
  }

  @Override
  void markBatchEnd() {
    batchMarked = true;
    if (awaitingStored == 0) {
      batchMarked = false;
      sink.batchStored(this, System.nanoTime());
    }
  }

  @Override
  void appendAcks() {
    if (acks.isEmpty()) {
      return;
    }
    for (int i = 0; i < acks.size(); i += MAX_ACK_IDS) {
      Frame f =
          Frame.newBuilder()
              .setRequestId(nextRequestId++)
              .setAckMessages(
                  AckMessages.newBuilder()
                      .addAllMessageIds(acks.subList(i, Math.min(acks.size(), i + MAX_ACK_IDS))))
              .build();
      out.appendBytes(FrameCodec.encode(f));
    }
    acks.clear();
  }
}
