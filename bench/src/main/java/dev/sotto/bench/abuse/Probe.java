package dev.sotto.bench.abuse;

import com.google.protobuf.ByteString;
import dev.sotto.bench.abuse.RawClient.Reply;
import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.Hello;
import dev.sotto.wire.proto.KdfParams;
import dev.sotto.wire.proto.Login;
import dev.sotto.wire.proto.Ping;
import dev.sotto.wire.proto.Register;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the cases share: the server's address, a fresh source address per use (so that one case's
 * throttling never spills into another's), accounts made with random auth keys (the server never
 * sees a password, so none is derived), and the usual checks on a reply.
 */
final class Probe {
  /** How long a reply may take on a loaded, shared machine. */
  static final Duration REPLY = Duration.ofSeconds(10);

  /** The Argon2id floor: what the accounts claim their keys were made with. */
  static final KdfParams KDF =
      KdfParams.newBuilder().setMemoryKib(8192).setIterations(1).setParallelism(1).build();

  final String host;
  final int port;
  private final AtomicInteger nextAddress = new AtomicInteger();
  private final SecureRandom random = new SecureRandom();
  private final Map<String, ByteString> keys = new ConcurrentHashMap<>();

  Probe(String host, int port) {
    this.host = host;
    this.port = port;
  }

  /** A source address on 127.2/16 used by nobody else in this run. */
  String address() {
    int k = nextAddress.incrementAndGet();
    return "127.2." + (k / 250) % 250 + "." + (k % 250 + 1);
  }

  byte[] random(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  /** A TLS 1.3 connection from a fresh address. */
  RawClient tls() throws IOException {
    return RawClient.tls(host, port, address());
  }

  /** A TLS 1.3 connection that has said Hello (request id 1) and got Welcome. */
  RawClient greeted() throws IOException {
    return greeted(address());
  }

  RawClient greeted(String local) throws IOException {
    RawClient c = RawClient.tls(host, port, local);
    c.send(hello(1).setRequestId(1).build());
    expectFrame(c.await(1, REPLY), Frame.BodyCase.WELCOME, "Hello");
    return c;
  }

  /** A connection logged in as a new account {@code name} (request ids 1 and 2 used). */
  RawClient registered(String name) throws IOException {
    return registered(name, address());
  }

  RawClient registered(String name, String local) throws IOException {
    RawClient c = greeted(local);
    Reply r = send(c, 2, register(name, newKey(name)));
    expectFrame(r, Frame.BodyCase.LOGIN_OK, "Register " + name);
    return c;
  }

  /** A connection logged in as the existing account {@code name}. */
  RawClient loggedIn(String name) throws IOException {
    RawClient c = greeted();
    Reply r = send(c, 2, login(name, keys.get(name)));
    expectFrame(r, Frame.BodyCase.LOGIN_OK, "Login " + name);
    return c;
  }

  /** Registers {@code name} and closes the connection. */
  void account(String name) throws IOException {
    registered(name).close();
  }

  ByteString newKey(String name) {
    ByteString k = ByteString.copyFrom(random(32));
    keys.put(name, k);
    return k;
  }

  /** Sends {@code frame} with request id {@code rid} and waits for its answer. */
  static Reply send(RawClient c, long rid, Frame.Builder frame) throws IOException {
    c.send(frame.setRequestId(rid).build());
    return c.await(rid, REPLY);
  }

  static Frame.Builder hello(int version) {
    return Frame.newBuilder()
        .setHello(Hello.newBuilder().setProtocolVersion(version).setClient("sotto-abuse/0.1"));
  }

  static Frame.Builder ping(long nonce) {
    return Frame.newBuilder().setPing(Ping.newBuilder().setNonce(nonce));
  }

  static Frame.Builder register(String name, ByteString key) {
    return Frame.newBuilder()
        .setRegister(Register.newBuilder().setUsername(name).setKdfParams(KDF).setAuthKey(key));
  }

  static Frame.Builder login(String name, ByteString key) {
    return Frame.newBuilder()
        .setLogin(Login.newBuilder().setUsername(name).setAuthKey(key).setDeviceId(1));
  }

  private static void expectFrame(Reply r, Frame.BodyCase kind, String what) throws IOException {
    if (!(r instanceof Reply.Got g) || g.frame().getBodyCase() != kind) {
      throw new IOException(what + ": expected " + kind + ", got " + describe(r));
    }
  }

  /** A reply in a few words: "Error CODE", "WELCOME", "closed (how)", "silence". */
  static String describe(Reply r) {
    if (r instanceof Reply.Got g) {
      return describe(g.frame());
    }
    if (r instanceof Reply.Closed c) {
      return "closed (" + c.how() + ")";
    }
    return "silence";
  }

  static String describe(Frame f) {
    if (f.hasError()) {
      return "Error " + f.getError().getCode() + " rid " + f.getRequestId();
    }
    return f.getBodyCase() + " rid " + f.getRequestId();
  }

  static boolean isError(Reply r, ErrorCode code) {
    return r instanceof Reply.Got g
        && g.frame().hasError()
        && g.frame().getError().getCode() == code;
  }

  static boolean is(Reply r, Frame.BodyCase kind) {
    return r instanceof Reply.Got g && g.frame().getBodyCase() == kind;
  }

  // ------------------------------------------------------------------ the common expectations

  /** Expects {@code Error(code)} and then the server closing the connection. */
  static Case.Outcome errorThenClose(RawClient c, ErrorCode code) throws IOException {
    return errorThenClose(c, code, REPLY);
  }

  static Case.Outcome errorThenClose(RawClient c, ErrorCode code, Duration within)
      throws IOException {
    long t0 = System.nanoTime();
    RawClient.Drain d = c.drain(within.plus(Duration.ofSeconds(5)));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    boolean sawCode =
        d.frames().stream().anyMatch(f -> f.hasError() && f.getError().getCode() == code);
    StringBuilder seen = new StringBuilder();
    for (Frame f : d.frames()) {
      seen.append(describe(f)).append(", ");
    }
    String observed =
        (d.frames().isEmpty() ? "no frame, " : seen.toString())
            + (d.closed() ? "closed by the server after " + ms + " ms" : "still open");
    return Case.Outcome.of(sawCode && d.closed(), observed);
  }

  /**
   * Expects {@code Error(code)} answering {@code rid}, then proves the connection is still open
   * with a Ping (so {@code c} must have said Hello).
   */
  static Case.Outcome errorStaysOpen(RawClient c, Reply r, ErrorCode code) throws IOException {
    boolean ok = isError(r, code);
    Reply pong = send(c, 999_999, ping(7));
    boolean open = is(pong, Frame.BodyCase.PONG);
    return Case.Outcome.of(
        ok && open,
        describe(r) + (open ? "; connection open (Ping answered)" : "; then " + describe(pong)));
  }
}
