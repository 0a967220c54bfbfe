package dev.sotto.bench.load;

import com.google.protobuf.ByteString;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Legitimate users chatting in the background while something else happens to the server: {@code
 * pairs} pairs of logged-in {@link SottoConnection}s exchange {@code ratePerSecond} messages in
 * total (open-loop, {@link RatePacer}), and the send-to-receive latency of each is recorded from
 * its due time. Everything runs on one context of {@code vertx}; the figures are read through
 * {@link #snapshot}.
 */
public final class Chatter implements LoadConnection.Sink {
  /** What the background users saw so far. */
  public record Figures(
      Histogram latencyMicros,
      long sent,
      long delivered,
      long failures,
      String firstFailure,
      long atNanos) {}

  private final Vertx vertx;
  private final String host;
  private final int port;
  private final int pairs;
  private final double ratePerSecond;
  private final String prefix;
  private final char[] password;
  private final String localAddress;
  private final SecureRandom random = new SecureRandom();
  private final List<LoadConnection> dirty = LoadConnection.newDirtyList();
  private final List<LoadConnection> conns = new ArrayList<>();
  private final Histogram latency = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
  private NetClient client;
  private io.vertx.core.Context context;
  private Payload payload;
  private RatePacer pacer;
  private long timer = -1;
  private long sent;
  private long delivered;
  private long failures;
  private String firstFailure = "";

  /**
   * @param localAddress the source address of every connection (a 127/8 address of its own, so the
   *     server's per-address throttles count these users apart from anything else)
   */
  public Chatter(
      Vertx vertx,
      String host,
      int port,
      String localAddress,
      int pairs,
      double ratePerSecond,
      String prefix,
      char[] password) {
    this.vertx = vertx;
    this.host = host;
    this.port = port;
    this.localAddress = localAddress;
    this.pairs = pairs;
    this.ratePerSecond = ratePerSecond;
    this.prefix = prefix;
    this.password = password.clone();
  }

  /** Logs every user in (registering on first use) and starts the paced chat. */
  public void start() throws Exception {
    context = vertx.getOrCreateContext();
    onContext(
        () -> {
          client =
              vertx.createNetClient(
                  new NetClientOptions()
                      .setLocalAddress(localAddress)
                      .setTcpNoDelay(true)
                      .setConnectTimeout(30_000)
                      .setHostnameVerificationAlgorithm("")
                      .setTrustAll(true)
                      .setSsl(true)
                      .setEnabledSecureTransportProtocols(Set.of("TLSv1.3")));
          byte[] bytes = new byte[217]; // the size of a short real ratchet message
          random.nextBytes(bytes);
          payload = new Payload(ByteString.copyFrom(bytes), null);
          List<Future<Void>> opened = new ArrayList<>();
          for (int i = 0; i < 2 * pairs; i++) {
            LoadConnection c = connection(prefix + i, i);
            conns.add(c);
            opened.add(c.open());
          }
          return Future.all(opened).mapEmpty();
        });
    onContext(
        () -> {
          pacer = new RatePacer(ratePerSecond, System.nanoTime());
          timer = vertx.setPeriodic(1, t -> tick());
          return Future.succeededFuture();
        });
  }

  private LoadConnection connection(String name, int i) {
    return new SottoConnection(i, name, this, dirty, client, host, port, false, password);
  }

  private void tick() {
    long now = System.nanoTime();
    long due = pacer.dueCount(now);
    int n = conns.size();
    for (; sent < due; sent++) {
      int from = (int) (sent % n);
      LoadConnection c = conns.get(from);
      if (!c.closed) {
        byte[] id = ByteBuffer.allocate(16).putLong(pacer.dueNanos(sent)).putLong(sent).array();
        c.send(conns.get(from ^ 1), id, payload);
      }
    }
    LoadConnection.flushAll(dirty);
  }

  /** A copy of the figures so far. */
  public Figures snapshot() throws Exception {
    return onContext(
        () ->
            Future.succeededFuture(
                new Figures(
                    latency.copy(), sent, delivered, failures, firstFailure, System.nanoTime())));
  }

  /**
   * Opens one more connection for {@code name} (registering it if new, else logging in), then
   * closes it: the probe that the server still takes logins.
   */
  public void probeLogin(String name) throws Exception {
    onContext(
        () -> {
          LoadConnection c = connection(name, conns.size() + 1);
          return c.open().compose(v -> c.close());
        });
  }

  /** Stops the chat and closes the connections. */
  public void stop() throws Exception {
    onContext(
        () -> {
          if (timer >= 0) {
            vertx.cancelTimer(timer);
          }
          return LoadMain.closeAll(conns);
        });
  }

  private <T> T onContext(java.util.function.Supplier<Future<T>> action) throws Exception {
    return LoadMain.onContext(context, action, 120);
  }

  @Override
  public void delivered(LoadConnection at, byte[] id, long nowNanos) {
    long due = ByteBuffer.wrap(id).getLong();
    latency.recordValue(Math.max(0, (nowNanos - due) / 1000));
    delivered++;
  }

  @Override
  public void batchStored(LoadConnection at, long nowNanos) {}

  @Override
  public void failed(LoadConnection at, String what) {
    if (failures++ == 0) {
      firstFailure = at.username + ": " + what;
    }
  }
}
