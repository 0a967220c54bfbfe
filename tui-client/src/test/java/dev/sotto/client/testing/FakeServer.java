package dev.sotto.client.testing;

import com.google.protobuf.ByteString;
import dev.sotto.wire.ErrorMessages;
import dev.sotto.wire.FrameReader;
import dev.sotto.wire.FrameWriter;
import dev.sotto.wire.WireException;
import dev.sotto.wire.WireLimits;
import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.KdfParams;
import dev.sotto.wire.proto.KdfParamsResponse;
import dev.sotto.wire.proto.LoginOk;
import dev.sotto.wire.proto.Ok;
import dev.sotto.wire.proto.Pong;
import dev.sotto.wire.proto.RegistrationMode;
import dev.sotto.wire.proto.Welcome;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.Socket;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A tiny TLS 1.3 server for client tests, on the JDK's blocking sockets: speaks the frames, keeps
 * accounts in memory (the "verifier" is the auth key itself: this is a test double, not the real
 * server), and can be told to misbehave: stay silent, drop the connection, answer out of order,
 * push frames, send an oversized frame.
 */
public final class FakeServer implements AutoCloseable {

  /** What the server does with one request; return null to stay silent. */
  public interface Handler extends BiFunction<Frame, FakeServer.Conn, Frame> {}

  /** One accepted connection. */
  public final class Conn {
    final Socket socket;
    final FrameWriter writer;

    Conn(Socket socket) throws IOException {
      this.socket = socket;
      this.writer = new FrameWriter(new BufferedOutputStream(socket.getOutputStream()));
    }

    /** Sends a frame (a push, or a late response). */
    public void send(Frame frame) {
      try {
        writer.write(frame);
      } catch (IOException e) {
        // The client went away: fine for a test server.
      }
    }

    /** Writes raw bytes. */
    public void sendRaw(byte[] bytes) {
      try {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
      } catch (IOException e) {
        // ignore
      }
    }

    /** Drops the TCP connection. */
    public void drop() {
      try {
        socket.close();
      } catch (IOException e) {
        // ignore
      }
    }
  }

  private final SSLServerSocket serverSocket;
  private final X509Certificate certificate;
  private final byte[] serverId = new byte[16];
  private final Map<String, Account> accounts = new ConcurrentHashMap<>();
  private final List<Frame> received = new CopyOnWriteArrayList<>();
  private final List<Conn> connections = new CopyOnWriteArrayList<>();
  private final AtomicInteger accepted = new AtomicInteger();
  private final Thread acceptThread;
  private volatile Handler handler;
  private volatile KdfParams defaultParams =
      KdfParams.newBuilder().setMemoryKib(8192).setIterations(1).setParallelism(1).build();
  private volatile RegistrationMode registration = RegistrationMode.REGISTRATION_OPEN;
  private volatile int protocolVersion = WireLimits.PROTOCOL_VERSION;

  record Account(KdfParams params, ByteString authKey) {}

  /** Starts on a free port of 127.0.0.1 with a fresh key. */
  public FakeServer() throws Exception {
    this(0);
  }

  /** Starts on {@code port} of 127.0.0.1 (0: any free one) with a fresh key. */
  public FakeServer(int port) throws Exception {
    new java.security.SecureRandom().nextBytes(serverId);
    KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
    kpg.initialize(256);
    KeyPair kp = kpg.generateKeyPair();
    X500Name name = new X500Name("CN=sotto-test");
    long now = System.currentTimeMillis();
    certificate =
        new JcaX509CertificateConverter()
            .getCertificate(
                new JcaX509v3CertificateBuilder(
                        name,
                        BigInteger.valueOf(now),
                        new Date(now - 60_000),
                        new Date(now + 86_400_000L),
                        name,
                        kp.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("server", kp.getPrivate(), new char[0], new X509Certificate[] {certificate});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    SSLContext ctx = SSLContext.getInstance("TLSv1.3");
    ctx.init(kmf.getKeyManagers(), null, null);
    serverSocket =
        (SSLServerSocket)
            ctx.getServerSocketFactory()
                .createServerSocket(port, 50, InetAddress.getLoopbackAddress());
    serverSocket.setReuseAddress(true);
    serverSocket.setEnabledProtocols(new String[] {"TLSv1.3"});
    handler = this::standard;
    acceptThread = new Thread(this::acceptLoop, "fake-server-accept");
    acceptThread.setDaemon(true);
    acceptThread.start();
  }

  /** The port it listens on. */
  public int port() {
    return serverSocket.getLocalPort();
  }

  /** SHA-256 of the certificate's SubjectPublicKeyInfo. */
  public byte[] spkiSha256() throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(certificate.getPublicKey().getEncoded());
  }

  /** The server's certificate. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** Replaces how requests are answered ({@link #standard} is the default). */
  public void handler(Handler h) {
    this.handler = h;
  }

  /** The Argon2id cost returned for unknown users. */
  public void defaultParams(KdfParams p) {
    this.defaultParams = p;
  }

  /** The registration mode announced in Welcome. */
  public void registration(RegistrationMode mode) {
    this.registration = mode;
  }

  /** The protocol version announced in Welcome. */
  public void protocolVersion(int v) {
    this.protocolVersion = v;
  }

  /** Every request received so far, in order. */
  public List<Frame> received() {
    return List.copyOf(received);
  }

  /** How many TCP connections were accepted (including aborted handshakes). */
  public int accepted() {
    return accepted.get();
  }

  /** The live connections. */
  public List<Conn> connections() {
    return List.copyOf(connections);
  }

  /** The auth key stored for {@code user}, or null. */
  public ByteString authKeyOf(String user) {
    Account a = accounts.get(user);
    return a == null ? null : a.authKey();
  }

  /** The standard behaviour: handshake, accounts, ping. */
  public Frame standard(Frame f, Conn c) {
    long id = f.getRequestId();
    return switch (f.getBodyCase()) {
      case HELLO ->
          Frame.newBuilder()
              .setRequestId(id)
              .setWelcome(
                  Welcome.newBuilder()
                      .setProtocolVersion(protocolVersion)
                      .setServerId(ByteString.copyFrom(serverId))
                      .setLimits(WireLimits.toProto())
                      .setRegistration(registration))
              .build();
      case PING ->
          Frame.newBuilder()
              .setRequestId(id)
              .setPong(Pong.newBuilder().setNonce(f.getPing().getNonce()))
              .build();
      case KDF_PARAMS_REQUEST -> {
        Account a = accounts.get(f.getKdfParamsRequest().getUsername());
        yield Frame.newBuilder()
            .setRequestId(id)
            .setKdfParamsResponse(
                KdfParamsResponse.newBuilder().setParams(a == null ? defaultParams : a.params()))
            .build();
      }
      case REGISTER -> {
        var r = f.getRegister();
        if (registration == RegistrationMode.REGISTRATION_INVITE
            && !r.getInviteCode().equals("good-invite")) {
          yield ErrorMessages.error(id, ErrorCode.INVITE_INVALID, null);
        }
        if (accounts.putIfAbsent(r.getUsername(), new Account(r.getKdfParams(), r.getAuthKey()))
            != null) {
          yield ErrorMessages.error(id, ErrorCode.USERNAME_TAKEN, null);
        }
        current.put(c, r.getUsername());
        yield loginOk(id, r.getUsername(), true);
      }
      case LOGIN -> {
        var l = f.getLogin();
        Account a = accounts.get(l.getUsername());
        if (a == null || !a.authKey().equals(l.getAuthKey())) {
          yield ErrorMessages.error(id, ErrorCode.AUTH_FAILED, null);
        }
        current.put(c, l.getUsername());
        yield loginOk(id, l.getUsername(), false);
      }
      case CHANGE_PASSWORD -> {
        String user = current.get(c);
        var cp = f.getChangePassword();
        Account a = user == null ? null : accounts.get(user);
        if (a == null) {
          yield ErrorMessages.error(id, ErrorCode.NOT_AUTHENTICATED, null);
        }
        if (!a.authKey().equals(cp.getOldAuthKey())) {
          yield ErrorMessages.error(id, ErrorCode.AUTH_FAILED, null);
        }
        accounts.put(user, new Account(cp.getNewKdfParams(), cp.getNewAuthKey()));
        yield Frame.newBuilder().setRequestId(id).setOk(Ok.getDefaultInstance()).build();
      }
      case LOGOUT -> Frame.newBuilder().setRequestId(id).setOk(Ok.getDefaultInstance()).build();
      // Prekeys are taken and counted as full, so the messenger's login completes; the real
      // directory is exercised by the ITs against the real server.
      case UPLOAD_PRE_KEYS ->
          Frame.newBuilder().setRequestId(id).setOk(Ok.getDefaultInstance()).build();
      case PRE_KEY_COUNT_REQUEST ->
          Frame.newBuilder()
              .setRequestId(id)
              .setPreKeyCount(
                  dev.sotto.wire.proto.PreKeyCount.newBuilder().setOneTime(100).setOneTimeKem(100))
              .build();
      default -> ErrorMessages.error(id, ErrorCode.UNKNOWN_REQUEST, null);
    };
  }

  private final Map<Conn, String> current = new ConcurrentHashMap<>();

  private static Frame loginOk(long id, String user, boolean fresh) {
    return Frame.newBuilder()
        .setRequestId(id)
        .setLoginOk(
            LoginOk.newBuilder()
                .setUsername(user)
                .setDeviceId(1)
                .setLimits(WireLimits.toProto())
                .setNewAccount(fresh))
        .build();
  }

  private void acceptLoop() {
    while (!serverSocket.isClosed()) {
      try {
        Socket s = serverSocket.accept();
        accepted.incrementAndGet();
        Thread t = new Thread(() -> serve(s), "fake-server-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    Conn c;
    try {
      c = new Conn(s);
    } catch (IOException e) {
      return;
    }
    connections.add(c);
    try {
      FrameReader reader =
          new FrameReader(
              new BufferedInputStream(s.getInputStream()), WireLimits.MAX_FRAME_AFTER_LOGIN);
      Frame f;
      while ((f = reader.read()) != null) {
        received.add(f);
        Frame response = handler.apply(f, c);
        if (response != null) {
          c.send(response);
        }
      }
    } catch (IOException | WireException e) {
      // Connection ends.
    } finally {
      connections.remove(c);
      current.remove(c);
      c.drop();
    }
  }

  @Override
  public void close() throws IOException {
    serverSocket.close();
    for (Conn c : connections) {
      c.drop();
    }
  }
}
