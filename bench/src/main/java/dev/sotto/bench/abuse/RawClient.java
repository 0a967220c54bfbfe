package dev.sotto.bench.abuse;

import dev.sotto.wire.FrameCodec;
import dev.sotto.wire.FrameReader;
import dev.sotto.wire.WireException;
import dev.sotto.wire.WireLimits;
import dev.sotto.wire.proto.Frame;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A blocking client that sends whatever bytes a case wants, over TLS (1.3 unless told otherwise) or
 * plain TCP, and reads the server's frames with a timeout. The server's certificate is not checked:
 * the catalogue tests the server's reactions, not its authenticity.
 */
final class RawClient implements Closeable {
  /** What one read saw. */
  sealed interface Reply {
    /** A whole frame. */
    record Got(Frame frame) implements Reply {}

    /** The server closed the connection (cleanly or with a reset). */
    record Closed(String how) implements Reply {}

    /** Nothing within the timeout. */
    record Silent() implements Reply {}
  }

  private final Socket tcp;
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final FrameReader reader;

  private RawClient(Socket tcp, Socket socket) throws IOException {
    this.tcp = tcp;
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
    this.reader = new FrameReader(in, WireLimits.MAX_FRAME_AFTER_LOGIN);
  }

  /** A TCP connection from {@code local} with nothing on it yet. */
  static Socket tcp(String host, int port, String local) throws IOException {
    Socket s = new Socket();
    s.setTcpNoDelay(true);
    s.bind(new InetSocketAddress(InetAddress.getByName(local), 0));
    s.connect(new InetSocketAddress(host, port), 10_000);
    return s;
  }

  /** A plain TCP client (no TLS). */
  static RawClient plain(String host, int port, String local) throws IOException {
    Socket s = tcp(host, port, local);
    return new RawClient(s, s);
  }

  /** A TLS client with {@code protocols} enabled, handshake done. */
  static RawClient tls(String host, int port, String local, String... protocols)
      throws IOException {
    Socket raw = tcp(host, port, local);
    SSLSocket s;
    try {
      s = (SSLSocket) trustAll().getSocketFactory().createSocket(raw, host, port, true);
    } catch (GeneralSecurityException e) {
      raw.close();
      throw new IOException("no TLS client", e);
    }
    s.setEnabledProtocols(protocols.length == 0 ? new String[] {"TLSv1.3"} : protocols);
    s.setSoTimeout(15_000);
    try {
      s.startHandshake();
    } catch (IOException e) {
      s.close();
      throw e;
    }
    return new RawClient(raw, s);
  }

  private static SSLContext trustAll() throws GeneralSecurityException {
    SSLContext c = SSLContext.getInstance("TLS");
    c.init(
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
        null);
    return c;
  }

  /** Writes raw bytes. */
  void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Writes one frame with its length prefix. */
  void send(Frame frame) throws IOException {
    write(FrameCodec.encode(frame));
  }

  /** Reads one frame, waiting at most {@code timeout}. */
  Reply read(Duration timeout) throws IOException {
    socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
    try {
      Frame f = reader.read();
      return f == null ? new Reply.Closed("end of stream") : new Reply.Got(f);
    } catch (SocketTimeoutException e) {
      return new Reply.Silent();
    } catch (EOFException e) {
      return new Reply.Closed("end of stream inside a frame");
    } catch (SocketException | SSLException e) {
      return new Reply.Closed(e.getClass().getSimpleName());
    } catch (WireException e) {
      throw new IOException("the server sent a bad frame: " + e.getMessage(), e);
    }
  }

  /** Reads frames until one answers {@code requestId} (pushes are skipped) or the timeout. */
  Reply await(long requestId, Duration timeout) throws IOException {
    long end = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        return new Reply.Silent();
      }
      Reply r = read(Duration.ofNanos(left));
      if (!(r instanceof Reply.Got g) || g.frame().getRequestId() == requestId) {
        return r;
      }
    }
  }

  /**
   * Reads until the server closes or {@code timeout} passes, keeping the frames seen on the way.
   *
   * @return the frames, and whether the connection was closed
   */
  Drain drain(Duration timeout) throws IOException {
    long end = System.nanoTime() + timeout.toNanos();
    List<Frame> frames = new ArrayList<>();
    while (true) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        return new Drain(frames, false, "");
      }
      Reply r = read(Duration.ofNanos(left));
      if (r instanceof Reply.Got g) {
        frames.add(g.frame());
      } else if (r instanceof Reply.Closed c) {
        return new Drain(frames, true, c.how());
      } else {
        return new Drain(frames, false, "");
      }
    }
  }

  /** The frames read by {@link #drain} and whether the stream ended. */
  record Drain(List<Frame> frames, boolean closed, String how) {}

  /** Reads and discards raw bytes until end of stream; the count, or -1 after {@code timeout}. */
  long drainBytes(Duration timeout) throws IOException {
    socket.setSoTimeout((int) timeout.toMillis());
    byte[] buf = new byte[64 * 1024];
    long total = 0;
    try {
      for (int n; (n = in.read(buf)) >= 0; ) {
        total += n;
      }
      return total;
    } catch (SocketTimeoutException e) {
      return -1;
    } catch (SocketException | SSLException e) {
      return total;
    }
  }

  /** Closes with a TCP reset instead of a FIN (no TLS close_notify either). */
  void reset() throws IOException {
    tcp.setSoLinger(true, 0);
    tcp.close();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing a test connection; nothing to do
    }
  }
}
