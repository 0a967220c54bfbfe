package dev.sotto.client.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sotto.client.testing.FakeServer;
import dev.sotto.wire.ErrorMessages;
import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.Ping;
import dev.sotto.wire.proto.PresencePush;
import dev.sotto.wire.proto.PresenceState;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConnectionTest {

  private FakeServer server;
  private Fingerprint fingerprint;
  private final ClientOptions options =
      ClientOptions.defaults().withRequestTimeout(Duration.ofSeconds(5));

  @BeforeEach
  void start() throws Exception {
    server = new FakeServer();
    fingerprint = Fingerprint.of(server.spkiSha256());
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private ServerAddress address() {
    return new ServerAddress("127.0.0.1", server.port());
  }

  private static Frame.Builder ping(long nonce) {
    return Frame.newBuilder().setPing(Ping.newBuilder().setNonce(nonce));
  }

  @Test
  void request_responsesOutOfOrder_eachReachesItsOwnFuture() throws Exception {
    List<Frame> held = new CopyOnWriteArrayList<>();
    server.handler(
        (f, c) -> {
          held.add(f);
          if (held.size() == 3) {
            // Answer the three pings in reverse order.
            for (int i = 2; i >= 0; i--) {
              Frame h = held.get(i);
              c.send(server.standard(h, c));
            }
          }
          return null;
        });
    try (Connection c = Connection.open(address(), fingerprint, options, PushListener.NONE)) {
      CompletableFuture<Frame> a = c.request(ping(11));
      CompletableFuture<Frame> b = c.request(ping(22));
      CompletableFuture<Frame> d = c.request(ping(33));
      assertThat(a.get(5, TimeUnit.SECONDS).getPong().getNonce()).isEqualTo(11);
      assertThat(b.get(5, TimeUnit.SECONDS).getPong().getNonce()).isEqualTo(22);
      assertThat(d.get(5, TimeUnit.SECONDS).getPong().getNonce()).isEqualTo(33);
      assertThat(held).extracting(Frame::getRequestId).doesNotHaveDuplicates().doesNotContain(0L);
    }
  }

  @Test
  void push_reachesListenerInOrder_andCloseIsReportedLast() throws Exception {
    List<String> events = new CopyOnWriteArrayList<>();
    CountDownLatch closed = new CountDownLatch(1);
    PushListener listener =
        new PushListener() {
          @Override
          public void onPush(Frame push) {
            events.add(push.getPresencePush().getUsername());
          }

          @Override
          public void onClosed(ConnectionClosedException cause) {
            events.add("closed");
            closed.countDown();
          }
        };
    server.handler(
        (f, c) -> {
          for (String name : List.of("ann", "bob", "cyd")) {
            c.send(
                Frame.newBuilder()
                    .setPresencePush(
                        PresencePush.newBuilder()
                            .setUsername(name)
                            .setPresence(PresenceState.ONLINE))
                    .build());
          }
          return server.standard(f, c);
        });
    Connection c = Connection.open(address(), fingerprint, options, listener);
    c.request(ping(1)).get(5, TimeUnit.SECONDS);
    c.close();
    assertThat(closed.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(events).containsExactly("ann", "bob", "cyd", "closed");
  }

  @Test
  void droppedConnection_failsEveryPendingRequestWithClearException() throws Exception {
    CountDownLatch got = new CountDownLatch(2);
    AtomicReference<FakeServer.Conn> conn = new AtomicReference<>();
    server.handler(
        (f, c) -> {
          conn.set(c);
          got.countDown();
          return null; // never answer
        });
    AtomicReference<ConnectionClosedException> heard = new AtomicReference<>();
    CountDownLatch closed = new CountDownLatch(1);
    Connection c =
        Connection.open(
            address(),
            fingerprint,
            options.withRequestTimeout(Duration.ofSeconds(30)),
            new PushListener() {
              @Override
              public void onClosed(ConnectionClosedException cause) {
                heard.set(cause);
                closed.countDown();
              }
            });
    CompletableFuture<Frame> a = c.request(ping(1));
    CompletableFuture<Frame> b = c.request(ping(2));
    assertThat(got.await(5, TimeUnit.SECONDS)).isTrue();
    conn.get().drop();
    for (CompletableFuture<Frame> f : List.of(a, b)) {
      assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(ConnectionClosedException.class)
          .hasMessageContaining(address().toString());
    }
    assertThat(closed.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(heard.get()).isInstanceOf(ConnectionClosedException.class);
    assertThat(c.isClosed()).isTrue();
    // A request after the drop fails at once instead of hanging.
    assertThatThrownBy(() -> c.request(ping(3)).get(1, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(ConnectionClosedException.class);
  }

  @Test
  void serverErrorPushBeforeClose_isTheReasonGiven() throws Exception {
    server.handler(
        (f, c) -> {
          c.send(ErrorMessages.error(0, ErrorCode.SHUTTING_DOWN, "The server is shutting down."));
          c.drop();
          return null;
        });
    try (Connection c = Connection.open(address(), fingerprint, options, PushListener.NONE)) {
      assertThatThrownBy(() -> c.call(ping(1), Frame.BodyCase.PONG))
          .isInstanceOf(ConnectionClosedException.class)
          .hasMessageContaining("shutting down")
          .cause()
          .isInstanceOf(ServerException.class)
          .extracting(e -> ((ServerException) e).code())
          .isEqualTo(ErrorCode.SHUTTING_DOWN);
    }
  }

  @Test
  void request_noAnswer_timesOutAndConnectionStaysUsable() throws Exception {
    server.handler((f, c) -> f.getPing().getNonce() == 1 ? null : server.standard(f, c));
    try (Connection c =
        Connection.open(
            address(),
            fingerprint,
            options.withRequestTimeout(Duration.ofMillis(300)),
            PushListener.NONE)) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> c.call(ping(1), Frame.BodyCase.PONG))
          .isInstanceOf(RequestTimeoutException.class)
          .hasMessageContaining("300 ms");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
      assertThat(c.call(ping(2), Frame.BodyCase.PONG).getPong().getNonce()).isEqualTo(2);
    }
  }

  @Test
  void call_errorResponse_becomesServerExceptionWithCodeAndSentence() throws Exception {
    server.handler(
        (f, c) ->
            ErrorMessages.error(f.getRequestId(), ErrorCode.RATE_LIMITED, "Slow down.", 1500));
    try (Connection c = Connection.open(address(), fingerprint, options, PushListener.NONE)) {
      assertThatThrownBy(() -> c.call(ping(1), Frame.BodyCase.PONG))
          .isInstanceOfSatisfying(
              ServerException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
                assertThat(e.getMessage()).isEqualTo("Slow down.");
                assertThat(e.retryAfter()).contains(Duration.ofMillis(1500));
              });
    }
  }

  @Test
  void call_unexpectedKind_isProtocolException() throws Exception {
    server.handler(
        (f, c) ->
            Frame.newBuilder()
                .setRequestId(f.getRequestId())
                .setOk(dev.sotto.wire.proto.Ok.getDefaultInstance())
                .build());
    try (Connection c = Connection.open(address(), fingerprint, options, PushListener.NONE)) {
      assertThatThrownBy(() -> c.call(ping(1), Frame.BodyCase.PONG))
          .isInstanceOf(java.net.ProtocolException.class)
          .hasMessageContaining("OK");
    }
  }

  @Test
  void oversizedInboundFrame_closesConnectionWithReason() throws Exception {
    server.handler(
        (f, c) -> {
          // Announce a body of 16 KiB + 1 before login: over the limit.
          c.sendRaw(new byte[] {0, 0, 0x40, 0x01});
          return null;
        });
    try (Connection c = Connection.open(address(), fingerprint, options, PushListener.NONE)) {
      assertThatThrownBy(() -> c.call(ping(1), Frame.BodyCase.PONG))
          .isInstanceOf(ConnectionClosedException.class)
          .hasMessageContaining("bad frame")
          .hasMessageContaining("16385");
    }
  }

  @Test
  void request_overOutboundLimit_failsWithoutSending() throws Exception {
    try (Connection c = Connection.open(address(), fingerprint, options, PushListener.NONE)) {
      Frame.Builder big =
          Frame.newBuilder()
              .setHello(dev.sotto.wire.proto.Hello.newBuilder().setClient("x".repeat(20_000)));
      assertThatThrownBy(() -> c.request(big).get(1, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("over the limit");
      assertThat(c.call(ping(5), Frame.BodyCase.PONG).getPong().getNonce()).isEqualTo(5);
    }
  }

  @Test
  void heartbeat_pingsPeriodically() throws Exception {
    try (Connection c =
        Connection.open(
            address(),
            fingerprint,
            options.withHeartbeatInterval(Duration.ofMillis(100)),
            PushListener.NONE)) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (server.received().stream().filter(Frame::hasPing).count() < 3
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(server.received().stream().filter(Frame::hasPing).count())
          .isGreaterThanOrEqualTo(3);
      assertThat(c.isClosed()).isFalse();
    }
  }

  @Test
  void heartbeat_unanswered_closesConnection() throws Exception {
    server.handler((f, c) -> null);
    CountDownLatch closed = new CountDownLatch(1);
    AtomicReference<String> why = new AtomicReference<>();
    Connection c =
        Connection.open(
            address(),
            fingerprint,
            options
                .withHeartbeatInterval(Duration.ofMillis(100))
                .withRequestTimeout(Duration.ofMillis(200)),
            new PushListener() {
              @Override
              public void onClosed(ConnectionClosedException cause) {
                why.set(cause.getMessage());
                closed.countDown();
              }
            });
    assertThat(closed.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(why.get()).contains("stopped answering heartbeats");
    assertThat(c.isClosed()).isTrue();
  }

  @Test
  void open_nothingListening_unreachableWithReason() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    assertThatThrownBy(
            () ->
                Connection.open(
                    new ServerAddress("127.0.0.1", port), fingerprint, options, PushListener.NONE))
        .isInstanceOf(UnreachableServerException.class)
        .hasMessageContaining("127.0.0.1:" + port)
        .hasMessageContaining("nothing accepts connections");
  }

  @Test
  void open_plainTcpPeer_unreachableNotHang() throws Exception {
    try (ServerSocket plain = new ServerSocket(0)) {
      Thread t =
          new Thread(
              () -> {
                try (var s = plain.accept()) {
                  s.getOutputStream().write("HTTP/1.0 400 Bad Request\r\n\r\n".getBytes());
                  s.getOutputStream().flush();
                  Thread.sleep(500);
                } catch (Exception e) {
                  // done
                }
              });
      t.start();
      assertThatThrownBy(
              () ->
                  Connection.open(
                      new ServerAddress("127.0.0.1", plain.getLocalPort()),
                      fingerprint,
                      options,
                      PushListener.NONE))
          .isInstanceOf(UnreachableServerException.class)
          .hasMessageContaining("TLS");
      t.join();
    }
  }

  @Test
  void request_manyThreadsShuffledAnswers_everyResponseReachesItsCaller() throws Exception {
    // Seeded random schedule: the server answers in batches of 4, each batch shuffled.
    java.util.Random random = new java.util.Random(20261122L);
    List<Frame> batch = new java.util.ArrayList<>();
    server.handler(
        (f, c) -> {
          synchronized (batch) {
            batch.add(f);
            if (batch.size() == 4) {
              java.util.Collections.shuffle(batch, random);
              for (Frame b : batch) {
                c.send(server.standard(b, c));
              }
              batch.clear();
            }
          }
          return null;
        });
    int threads = 8;
    int perThread = 100;
    try (Connection c = Connection.open(address(), fingerprint, options, PushListener.NONE)) {
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(threads);
      List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        long base = 1_000_000L * (t + 1);
        results.add(
            pool.submit(
                () -> {
                  List<CompletableFuture<Frame>> mine = new java.util.ArrayList<>();
                  for (int i = 0; i < perThread; i++) {
                    mine.add(c.request(ping(base + i)));
                  }
                  int ok = 0;
                  for (int i = 0; i < perThread; i++) {
                    if (mine.get(i).get(10, TimeUnit.SECONDS).getPong().getNonce() == base + i) {
                      ok++;
                    }
                  }
                  return ok;
                }));
      }
      int total = 0;
      for (java.util.concurrent.Future<Integer> r : results) {
        total += r.get(30, TimeUnit.SECONDS);
      }
      pool.shutdown();
      assertThat(total).isEqualTo(threads * perThread);
    }
  }
}
