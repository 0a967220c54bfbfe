package dev.sotto.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.sotto.server.account.RegistrationPolicy;
import dev.sotto.server.net.NetConfig;
import dev.sotto.server.throttle.RateLimiter;
import dev.sotto.server.throttle.Throttles;
import dev.sotto.wire.proto.ChangePassword;
import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.Hello;
import dev.sotto.wire.proto.KdfParamsRequest;
import dev.sotto.wire.proto.Logout;
import dev.sotto.wire.proto.Ping;
import dev.sotto.wire.proto.Welcome;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Starts the real server (in this JVM, on port 0, with a temporary data directory and the real
 * journaled store), registers and logs in two users over TLS 1.3, and checks that each bad input
 * gets its stable error code while a logged-in user keeps working: after every test {@code alice}'s
 * connection, opened once, still answers a Ping. The login timeout is lowered to 3 s and the
 * throttles widened so that the many cases from one address are not refused; both are checked on
 * their own in unit tests.
 */
class ServerIT {

  private static final Duration LOGIN_TIMEOUT = Duration.ofSeconds(3);

  @TempDir static Path temp;

  private static SottoServer server;
  private static int port;
  private static TestClient alice;
  private static final byte[] ALICE_KEY = TestClient.randomKey();
  private static final byte[] BOB_KEY = TestClient.randomKey();

  static ServerConfig testConfig(Path dir) {
    RateLimiter.Config wide = new RateLimiter.Config(100_000, Duration.ofMillis(1), 100_000);
    return ServerConfig.defaults(dir)
        .withListen("127.0.0.1", 0)
        .withEventLoops(2)
        .withNet(NetConfig.defaults().withTimeouts(LOGIN_TIMEOUT, Duration.ofSeconds(90)))
        .withThrottles(
            new Throttles.Config(wide, wide, wide)
                .withSend(wide, Throttles.Config.sendBytesLimit(1 << 30, 1L << 40)));
  }

  @BeforeAll
  static void startServerAndRegisterTwoUsers() throws Exception {
    server = SottoServer.start(testConfig(temp.resolve("data")));
    port = server.port();
    alice = TestClient.connect(port);
    assertThat(alice.protocol()).isEqualTo("TLSv1.3");
    Frame welcome = alice.hello();
    assertThat(welcome.hasWelcome()).isTrue();
    Welcome w = welcome.getWelcome();
    assertThat(w.getProtocolVersion()).isEqualTo(1);
    assertThat(w.getServerId().toByteArray()).isEqualTo(server.serverId()).hasSize(16);
    assertThat(w.getLimits().getMaxFrameBeforeLogin()).isEqualTo(16 * 1024);
    assertThat(w.getLimits().getMaxFrameAfterLogin()).isEqualTo(1024 * 1024);
    Frame reg = alice.register("Alice", ALICE_KEY);
    assertThat(reg.hasLoginOk()).as("%s", reg).isTrue();
    assertThat(reg.getLoginOk().getUsername()).isEqualTo("alice");
    assertThat(reg.getLoginOk().getNewAccount()).isTrue();
    try (TestClient bob = TestClient.connect(port)) {
      bob.hello();
      assertThat(bob.register("bob", BOB_KEY).hasLoginOk()).isTrue();
    }
    try (TestClient bob = TestClient.connect(port)) {
      bob.hello();
      Frame login = bob.login("BOB", BOB_KEY);
      assertThat(login.hasLoginOk()).as("%s", login).isTrue();
      assertThat(login.getLoginOk().getNewAccount()).isFalse();
      assertThat(bob.ping()).isTrue();
    }
  }

  @AfterEach
  void loggedInUserKeepsWorking() throws Exception {
    assertThat(alice.ping()).as("alice's Ping after the case").isTrue();
  }

  @AfterAll
  static void stop() {
    if (alice != null) {
      alice.close();
    }
    if (server != null) {
      server.stop();
    }
  }

  private static TestClient greeted() throws Exception {
    TestClient c = TestClient.connect(port);
    assertThat(c.hello().hasWelcome()).isTrue();
    return c;
  }

  private static byte[] lengthPrefix(long length) {
    return new byte[] {
      (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length
    };
  }

  @Test
  void certificate_fingerprintSeenByClient_matchesPrinted() throws Exception {
    try (TestClient c = TestClient.connect(port)) {
      assertThat(c.peerFingerprint()).isEqualTo(server.certificate().fingerprint());
    }
  }

  @Test
  void tls12Client_refused() {
    assertThatThrownBy(() -> TestClient.tlsSocket(port, "TLSv1.2").close())
        .isInstanceOf(SSLException.class);
  }

  @Test
  void garbageBytes_badFrameAndClosed() throws Exception {
    try (TestClient c = greeted()) {
      byte[] garbage = new byte[12];
      System.arraycopy(lengthPrefix(8), 0, garbage, 0, 4);
      java.util.Arrays.fill(garbage, 4, 12, (byte) 0xFF);
      c.sendRaw(garbage);
      Frame f = c.read();
      assertThat(TestClient.code(f)).isEqualTo(ErrorCode.BAD_FRAME);
      assertThat(f.getError().getMessage()).isNotBlank();
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void frameWithoutBody_badFrame() throws Exception {
    try (TestClient c = greeted()) {
      byte[] body = Frame.newBuilder().setRequestId(7).build().toByteArray();
      ByteArrayOutputStream raw = new ByteArrayOutputStream();
      raw.write(lengthPrefix(body.length));
      raw.write(body);
      c.sendRaw(raw.toByteArray());
      assertThat(TestClient.code(c.read())).isEqualTo(ErrorCode.BAD_FRAME);
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void plainTcpClientOnTlsPort_droppedWithoutHarm() throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(15_000);
      OutputStream out = s.getOutputStream();
      out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      boolean closed;
      try {
        byte[] buf = new byte[1024];
        while (in.read(buf) >= 0) {
          // a TLS alert may arrive before the close
        }
        closed = true;
      } catch (SocketTimeoutException e) {
        closed = false;
      } catch (SocketException e) {
        closed = true;
      }
      assertThat(closed).isTrue();
    }
  }

  @Test
  void oversizedFrameBeforeLogin_frameTooLargeAndClosed() throws Exception {
    try (TestClient c = greeted()) {
      c.sendRaw(lengthPrefix(16 * 1024 + 1));
      Frame f = c.read();
      assertThat(TestClient.code(f)).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void frameAtTheLimitBeforeLogin_accepted() throws Exception {
    try (TestClient c = greeted()) {
      Frame.Builder big =
          Frame.newBuilder()
              .setKdfParamsRequest(KdfParamsRequest.newBuilder().setUsername("x".repeat(16_370)));
      int size = big.setRequestId(1).build().getSerializedSize();
      assertThat(size).isLessThanOrEqualTo(16 * 1024).isGreaterThan(16_000);
      Frame f = c.request(big);
      assertThat(f.hasKdfParamsResponse()).as("%s", f.getBodyCase()).isTrue();
      assertThat(f.getKdfParamsResponse().getParams().getMemoryKib()).isEqualTo(65536);
    }
  }

  @Test
  void oversizedFrameAfterLogin_frameTooLargeAndClosed_largeFrameBelowLimitAccepted()
      throws Exception {
    try (TestClient c = greeted()) {
      assertThat(c.login("bob", BOB_KEY).hasLoginOk()).isTrue();
      Frame big =
          c.request(
              Frame.newBuilder()
                  .setKdfParamsRequest(
                      KdfParamsRequest.newBuilder().setUsername("y".repeat(200_000))));
      assertThat(big.hasKdfParamsResponse()).isTrue();
      c.sendRaw(lengthPrefix(1024 * 1024 + 1));
      assertThat(TestClient.code(c.nextError())).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void lengthZero_badFrameAndClosed() throws Exception {
    try (TestClient c = greeted()) {
      c.sendRaw(lengthPrefix(0));
      assertThat(TestClient.code(c.read())).isEqualTo(ErrorCode.BAD_FRAME);
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void serverOnlyFrameFromClient_unknownRequest_connectionStaysUsable() throws Exception {
    try (TestClient c = greeted()) {
      Frame f = c.request(Frame.newBuilder().setWelcome(Welcome.getDefaultInstance()));
      assertThat(TestClient.code(f)).isEqualTo(ErrorCode.UNKNOWN_REQUEST);
      assertThat(c.ping()).isTrue();
    }
  }

  @Test
  void requestBeforeHello_handshakeRequiredAndClosed() throws Exception {
    try (TestClient c = TestClient.connect(port)) {
      assertThat(TestClient.code(c.login("alice", ALICE_KEY)))
          .isEqualTo(ErrorCode.HANDSHAKE_REQUIRED);
      assertThat(c.closedByServer()).isTrue();
    }
    try (TestClient c = TestClient.connect(port)) {
      assertThat(
              TestClient.code(c.request(Frame.newBuilder().setPing(Ping.newBuilder().setNonce(1)))))
          .isEqualTo(ErrorCode.HANDSHAKE_REQUIRED);
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void requestIdZero_invalidRequest_connectionStaysUsable() throws Exception {
    try (TestClient c = greeted()) {
      c.send(Frame.newBuilder().setPing(Ping.newBuilder().setNonce(5)).build());
      Frame f = c.read();
      assertThat(TestClient.code(f)).isEqualTo(ErrorCode.INVALID_REQUEST);
      assertThat(f.getRequestId()).isZero();
      assertThat(c.ping()).isTrue();
    }
  }

  @Test
  void overlongClientName_invalidRequestAndClosed() throws Exception {
    try (TestClient c = TestClient.connect(port)) {
      Frame f =
          c.request(
              Frame.newBuilder()
                  .setHello(Hello.newBuilder().setProtocolVersion(1).setClient("c".repeat(65))));
      assertThat(TestClient.code(f)).isEqualTo(ErrorCode.INVALID_REQUEST);
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void requestsBeforeLogin_notAuthenticated() throws Exception {
    try (TestClient c = greeted()) {
      Frame change =
          c.request(
              Frame.newBuilder()
                  .setChangePassword(
                      ChangePassword.newBuilder()
                          .setOldAuthKey(ByteString.copyFrom(ALICE_KEY))
                          .setNewAuthKey(ByteString.copyFrom(TestClient.randomKey()))
                          .setNewKdfParams(TestClient.TEST_KDF)));
      assertThat(TestClient.code(change)).isEqualTo(ErrorCode.NOT_AUTHENTICATED);
      assertThat(
              TestClient.code(c.request(Frame.newBuilder().setLogout(Logout.getDefaultInstance()))))
          .isEqualTo(ErrorCode.NOT_AUTHENTICATED);
    }
  }

  @Test
  void secondHelloOrLogin_refused() throws Exception {
    assertThat(TestClient.code(alice.hello())).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(TestClient.code(alice.login("alice", ALICE_KEY)))
        .isEqualTo(ErrorCode.ALREADY_AUTHENTICATED);
  }

  @Test
  void unsupportedVersion_namesSupportedVersionsAndCloses() throws Exception {
    try (TestClient c = TestClient.connect(port)) {
      Frame f =
          c.request(
              Frame.newBuilder()
                  .setHello(Hello.newBuilder().setProtocolVersion(2).setClient("future")));
      assertThat(TestClient.code(f)).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
      assertThat(f.getError().getSupportedVersionsList()).containsExactly(1);
      assertThat(f.getError().getMessage()).contains("1");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void duplicateRegistration_usernameTaken() throws Exception {
    try (TestClient c = greeted()) {
      assertThat(TestClient.code(c.register("alice", TestClient.randomKey())))
          .isEqualTo(ErrorCode.USERNAME_TAKEN);
      assertThat(TestClient.code(c.register(" ALICE ", TestClient.randomKey())))
          .isEqualTo(ErrorCode.USERNAME_TAKEN);
      assertThat(TestClient.code(c.register("no spaces allowed", TestClient.randomKey())))
          .isEqualTo(ErrorCode.INVALID_USERNAME);
    }
  }

  @Test
  void wrongPasswordAndUnknownUser_sameAuthFailed() throws Exception {
    try (TestClient c = greeted()) {
      Frame wrong = c.login("alice", TestClient.randomKey());
      Frame unknown = c.login("nobody-here", TestClient.randomKey());
      assertThat(TestClient.code(wrong)).isEqualTo(ErrorCode.AUTH_FAILED);
      assertThat(TestClient.code(unknown)).isEqualTo(ErrorCode.AUTH_FAILED);
      assertThat(wrong.getError().getMessage()).isEqualTo(unknown.getError().getMessage());
      Frame shortKey = c.login("alice", new byte[5]);
      assertThat(TestClient.code(shortKey)).isEqualTo(ErrorCode.INVALID_REQUEST);
      Frame device0 =
          c.request(
              Frame.newBuilder()
                  .setLogin(
                      dev.sotto.wire.proto.Login.newBuilder()
                          .setUsername("alice")
                          .setAuthKey(ByteString.copyFrom(ALICE_KEY))));
      assertThat(TestClient.code(device0)).isEqualTo(ErrorCode.INVALID_REQUEST);
      assertThat(c.login("alice", ALICE_KEY).hasLoginOk()).isTrue();
    }
  }

  @Test
  void kdfParams_unknownUserGetsDefault_knownUserGetsOwn() throws Exception {
    try (TestClient c = greeted()) {
      Frame unknown =
          c.request(
              Frame.newBuilder()
                  .setKdfParamsRequest(KdfParamsRequest.newBuilder().setUsername("ghost")));
      Frame known =
          c.request(
              Frame.newBuilder()
                  .setKdfParamsRequest(KdfParamsRequest.newBuilder().setUsername("ALICE")));
      assertThat(unknown.getKdfParamsResponse().getParams().getMemoryKib()).isEqualTo(65536);
      assertThat(known.getKdfParamsResponse().getParams()).isEqualTo(TestClient.TEST_KDF);
    }
  }

  @Test
  void changePassword_oldKeyStopsWorking_newKeyWorks_thenLogoutCloses() throws Exception {
    byte[] first = TestClient.randomKey();
    byte[] second = TestClient.randomKey();
    try (TestClient c = greeted()) {
      assertThat(c.register("carol", first).hasLoginOk()).isTrue();
      Frame wrongOld =
          c.request(
              Frame.newBuilder()
                  .setChangePassword(
                      ChangePassword.newBuilder()
                          .setOldAuthKey(ByteString.copyFrom(TestClient.randomKey()))
                          .setNewAuthKey(ByteString.copyFrom(second))
                          .setNewKdfParams(TestClient.TEST_KDF)));
      assertThat(TestClient.code(wrongOld)).isEqualTo(ErrorCode.AUTH_FAILED);
      Frame ok =
          c.request(
              Frame.newBuilder()
                  .setChangePassword(
                      ChangePassword.newBuilder()
                          .setOldAuthKey(ByteString.copyFrom(first))
                          .setNewAuthKey(ByteString.copyFrom(second))
                          .setNewKdfParams(TestClient.TEST_KDF)));
      assertThat(ok.hasOk()).as("%s", ok).isTrue();
      assertThat(c.request(Frame.newBuilder().setLogout(Logout.getDefaultInstance())).hasOk())
          .isTrue();
      assertThat(c.closedByServer()).isTrue();
    }
    try (TestClient c = greeted()) {
      assertThat(TestClient.code(c.login("carol", first))).isEqualTo(ErrorCode.AUTH_FAILED);
      assertThat(c.login("carol", second).hasLoginOk()).isTrue();
    }
  }

  @Test
  void loginTimeout_timeoutErrorThenClosed() throws Exception {
    try (TestClient c = greeted()) {
      long t0 = System.nanoTime();
      c.setTimeoutMs((int) LOGIN_TIMEOUT.toMillis() + 5000);
      Frame f = c.read();
      long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(TestClient.code(f)).isEqualTo(ErrorCode.TIMEOUT);
      assertThat(f.getRequestId()).isZero();
      assertThat(waitedMs)
          .isBetween(LOGIN_TIMEOUT.toMillis() - 1000, LOGIN_TIMEOUT.toMillis() + 3000);
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void thousandConnectionsOpenedAndDropped_serverUnaffected() throws Exception {
    // Half plain TCP (connect, one byte, drop), half TLS 1.3 (handshake, then a partial frame or
    // a Hello, then drop); 16 client threads.
    ExecutorService pool = Executors.newFixedThreadPool(16);
    AtomicInteger handshakes = new AtomicInteger();
    long t0 = System.nanoTime();
    try {
      List<Future<?>> all = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        int n = i;
        all.add(
            pool.submit(
                () -> {
                  if (n % 2 == 0) {
                    try (Socket s = new Socket("127.0.0.1", port)) {
                      s.getOutputStream().write(n);
                    }
                    return null;
                  }
                  try (TestClient c = TestClient.connect(port)) {
                    handshakes.incrementAndGet();
                    if (n % 4 == 1) {
                      c.sendRaw(lengthPrefix(100));
                    } else {
                      c.send(
                          Frame.newBuilder()
                              .setRequestId(1)
                              .setHello(Hello.newBuilder().setProtocolVersion(1))
                              .build());
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : all) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    System.out.printf("1000 connections opened and dropped in %d ms%n", tookMs);
    assertThat(handshakes.get()).isEqualTo(500);
    assertThat(tookMs).isLessThan(60_000);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (server.hub().openConnections() > 1 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    System.out.printf(
        "all but one closed after %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    assertThat(server.hub().openConnections()).as("connections left open").isLessThanOrEqualTo(1);
    assertThat(server.hub().budget().used()).isZero();
    try (TestClient c = greeted()) {
      assertThat(c.login("bob", BOB_KEY).hasLoginOk()).isTrue();
    }
  }

  @Test
  void inviteMode_badCodeRefused_goodCodeSingleUse_adminRefusesWhileRunning(@TempDir Path dir)
      throws Exception {
    Path data = dir.resolve("data");
    String code = runAdmin(0, "--data", data.toString(), "invite", "create").trim();
    assertThat(code).matches("[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}");
    try (SottoServer invite =
        SottoServer.start(testConfig(data).withRegistration(RegistrationPolicy.INVITE))) {
      try (TestClient c = TestClient.connect(invite.port())) {
        Frame w = c.hello();
        assertThat(w.getWelcome().getRegistration().name()).isEqualTo("REGISTRATION_INVITE");
        assertThat(TestClient.code(c.register("dave", TestClient.randomKey(), "")))
            .isEqualTo(ErrorCode.INVITE_INVALID);
        assertThat(
                TestClient.code(c.register("dave", TestClient.randomKey(), "aaaa-bbbb-cccc-dddd")))
            .isEqualTo(ErrorCode.INVITE_INVALID);
        assertThat(c.register("dave", TestClient.randomKey(), code.toUpperCase()).hasLoginOk())
            .isTrue();
      }
      try (TestClient c = TestClient.connect(invite.port())) {
        c.hello();
        assertThat(TestClient.code(c.register("erin", TestClient.randomKey(), code)))
            .isEqualTo(ErrorCode.INVITE_INVALID);
      }
      String err = runAdmin(1, "--data", data.toString(), "user", "list");
      assertThat(err).contains("in use by process").contains("stop the server");
    }
    String list = runAdmin(0, "user", "list", "--data", data.toString());
    assertThat(list).contains("dave").contains("active").contains("1 account");
    runAdmin(0, "--data", data.toString(), "user", "disable", "DAVE");
    assertThat(runAdmin(0, "--data", data.toString(), "user", "list")).contains("disabled");
    assertThat(runAdmin(1, "--data", data.toString(), "user", "delete", "nobody"))
        .contains("no user named nobody");
    runAdmin(0, "--data", data.toString(), "user", "delete", "dave");
    assertThat(runAdmin(0, "--data", data.toString(), "user", "list")).contains("0 accounts");
  }

  @Test
  void closedRegistration_refused() throws Exception {
    // the shared server is open; a closed one shares nothing with it
    try (SottoServer closed =
        SottoServer.start(
            testConfig(temp.resolve("closed")).withRegistration(RegistrationPolicy.CLOSED))) {
      try (TestClient c = TestClient.connect(closed.port())) {
        c.hello();
        assertThat(TestClient.code(c.register("frank", TestClient.randomKey())))
            .isEqualTo(ErrorCode.REGISTRATION_NOT_ALLOWED);
      }
    }
  }

  /** Runs {@code sotto-server ARGS} in-process; returns stdout (exit 0) or stderr (else). */
  static String runAdmin(int expectedExit, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = ServerMain.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    assertThat(exit).as("exit of %s: %s", String.join(" ", args), err).isEqualTo(expectedExit);
    return expectedExit == 0 ? out.toString() : err.toString();
  }
}
