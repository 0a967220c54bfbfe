package dev.sotto.server;

import com.google.protobuf.ByteString;
import dev.sotto.server.tls.ServerCertificate;
import dev.sotto.wire.FrameCodec;
import dev.sotto.wire.FrameReader;
import dev.sotto.wire.WireException;
import dev.sotto.wire.WireLimits;
import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.Hello;
import dev.sotto.wire.proto.KdfParams;
import dev.sotto.wire.proto.Login;
import dev.sotto.wire.proto.Ping;
import dev.sotto.wire.proto.Register;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A small blocking TLS 1.3 client for the integration tests (JDK SSLSocket). It trusts any
 * certificate during the handshake; tests compare the peer's SPKI fingerprint with the server's.
 */
final class TestClient implements AutoCloseable {

  /** Low Argon2 cost: the server never runs Argon2, it only stores these. */
  static final KdfParams TEST_KDF =
      KdfParams.newBuilder().setMemoryKib(8192).setIterations(1).setParallelism(1).build();

  private static final SecureRandom RANDOM = new SecureRandom();

  private final SSLSocket socket;
  private final InputStream in;
  private final OutputStream out;
  private final FrameReader reader;
  private final AtomicLong ids = new AtomicLong();
  private final java.util.ArrayDeque<Frame> unsolicited = new java.util.ArrayDeque<>();

  private TestClient(SSLSocket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
    this.reader = new FrameReader(in, WireLimits.MAX_FRAME_AFTER_LOGIN);
  }

  private static volatile SSLContext trustAll;

  static SSLContext trustAll() throws GeneralSecurityException {
    SSLContext cached = trustAll;
    if (cached != null) {
      return cached;
    }
    SSLContext ctx = SSLContext.getInstance("TLSv1.3");
    ctx.init(
        null,
        new TrustManager[] {
          new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
              return new X509Certificate[0];
            }
          }
        },
        RANDOM);
    trustAll = ctx;
    return ctx;
  }

  static SSLSocket tlsSocket(int port, String... protocols)
      throws IOException, GeneralSecurityException {
    SSLSocket s = (SSLSocket) trustAll().getSocketFactory().createSocket("127.0.0.1", port);
    s.setEnabledProtocols(protocols);
    s.setSoTimeout(15_000);
    s.startHandshake();
    return s;
  }

  /**
   * Connects with a small socket receive buffer (set before connecting, so the TCP window stays
   * small): a client that stops reading then fills the server's buffers quickly.
   */
  static TestClient connectWithReceiveBuffer(int port, int bytes)
      throws IOException, GeneralSecurityException {
    java.net.Socket raw = new java.net.Socket();
    raw.setReceiveBufferSize(bytes);
    raw.connect(new java.net.InetSocketAddress("127.0.0.1", port), 10_000);
    SSLSocket s =
        (SSLSocket) trustAll().getSocketFactory().createSocket(raw, "127.0.0.1", port, true);
    s.setEnabledProtocols(new String[] {"TLSv1.3"});
    s.setSoTimeout(15_000);
    s.startHandshake();
    return new TestClient(s);
  }

  static TestClient connect(int port) throws IOException, GeneralSecurityException {
    return new TestClient(tlsSocket(port, "TLSv1.3"));
  }

  static byte[] randomKey() {
    byte[] k = new byte[32];
    RANDOM.nextBytes(k);
    return k;
  }

  /** SHA-256 of the server certificate's SubjectPublicKeyInfo, as seen in the handshake. */
  byte[] peerFingerprint() throws IOException {
    return ServerCertificate.spkiSha256(
        (X509Certificate) socket.getSession().getPeerCertificates()[0]);
  }

  String protocol() {
    return socket.getSession().getProtocol();
  }

  void setTimeoutMs(int ms) throws IOException {
    socket.setSoTimeout(ms);
  }

  /** Sends a request with a fresh request id and returns the frame answering it. */
  Frame request(Frame.Builder frame) throws IOException, WireException {
    long id = ids.incrementAndGet();
    send(frame.setRequestId(id).build());
    while (true) {
      Frame f = read();
      if (f == null) {
        throw new IOException("connection closed while waiting for the answer to " + id);
      }
      if (f.getRequestId() == id) {
        return f;
      }
      if (unsolicited.size() < 100_000) {
        unsolicited.add(f);
      }
    }
  }

  void send(Frame frame) throws IOException {
    out.write(FrameCodec.encode(frame));
    out.flush();
  }

  void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  Frame read() throws IOException, WireException {
    return reader.read();
  }

  /**
   * The next frame that answered no request of {@link #request} (pushes, in order): first those set
   * aside while waiting for answers, then from the socket; null at end of stream.
   */
  Frame nextPush() throws IOException, WireException {
    Frame f = unsolicited.poll();
    return f != null ? f : reader.read();
  }

  /** Sends a request without waiting; returns its request id. */
  long sendRequest(Frame.Builder frame) throws IOException {
    long id = ids.incrementAndGet();
    send(frame.setRequestId(id).build());
    return id;
  }

  Frame hello() throws IOException, WireException {
    return request(
        Frame.newBuilder()
            .setHello(Hello.newBuilder().setProtocolVersion(1).setClient("server-it/1")));
  }

  Frame register(String name, byte[] key) throws IOException, WireException {
    return request(
        Frame.newBuilder()
            .setRegister(
                Register.newBuilder()
                    .setUsername(name)
                    .setKdfParams(TEST_KDF)
                    .setAuthKey(ByteString.copyFrom(key))));
  }

  Frame register(String name, byte[] key, String invite) throws IOException, WireException {
    return request(
        Frame.newBuilder()
            .setRegister(
                Register.newBuilder()
                    .setUsername(name)
                    .setKdfParams(TEST_KDF)
                    .setAuthKey(ByteString.copyFrom(key))
                    .setInviteCode(invite)));
  }

  Frame login(String name, byte[] key) throws IOException, WireException {
    return request(
        Frame.newBuilder()
            .setLogin(
                Login.newBuilder()
                    .setUsername(name)
                    .setAuthKey(ByteString.copyFrom(key))
                    .setDeviceId(1)));
  }

  /** A Ping/Pong round trip; returns whether the Pong carried the nonce. */
  boolean ping() throws IOException, WireException {
    long nonce = RANDOM.nextLong();
    Frame f = request(Frame.newBuilder().setPing(Ping.newBuilder().setNonce(nonce)));
    return f.hasPong() && f.getPong().getNonce() == nonce;
  }

  static ErrorCode code(Frame f) {
    return f.hasError() ? f.getError().getCode() : ErrorCode.ERROR_UNSPECIFIED;
  }

  /**
   * Whether the server closes the connection within the socket timeout: reads (and drops) what is
   * left, true on end of stream or reset, false on timeout.
   */
  boolean closedByServer() throws IOException {
    byte[] buf = new byte[4096];
    try {
      while (true) {
        if (in.read(buf) < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException | javax.net.ssl.SSLException e) {
      return true;
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // already gone
    }
  }
}
