package dev.sotto.bench.load;

import dev.sotto.server.net.NativeIo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The load generator's command line. One process, one Vert.x event loop (pin it with {@code
 * taskset}); the same pacing, timing and accounting code for every {@link Target}. See {@code
 * bench/README.md} for one command per workload.
 */
@Command(
    name = "sotto-loadgen",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Drives Sotto, the limit relay or ejabberd over TLS and writes the figures.")
public final class LoadMain implements Callable<Integer> {
  /** Bytes on the wire, counted below TLS on every connection. */
  static final WireCounter WIRE = new WireCounter();

  @Option(names = "--target", required = true, description = "sotto, relay or xmpp")
  Target target;

  @Option(names = "--workload", required = true, description = "w1, w2, w3 or w4")
  String workload;

  @Option(names = "--host", defaultValue = "127.0.0.1")
  String host;

  @Option(names = "--port", description = "default: 7443 sotto, 7444 relay, 5222 xmpp")
  Integer port;

  @Option(names = "--server-pid", description = "pid of the server process, for CPU and RSS")
  String serverPid;

  @Option(names = "--pairs", defaultValue = "500", description = "W1/W2: connection pairs")
  int pairs;

  @Option(names = "--rate", defaultValue = "16000", description = "W1: offered msg/s")
  double rate;

  @Option(
      names = "--rates",
      split = ",",
      defaultValue = "1000,2000,4000,8000,16000,32000,64000",
      description = "W2: rising rates")
  List<Double> rates;

  @Option(
      names = "--p99-limit-ms",
      defaultValue = "50",
      description = "W2: a step whose p99 passes this ends the ramp (the issue's rule: 50)")
  double p99LimitMs;

  @Option(
      names = "--prewarm",
      defaultValue = "0",
      description = "W2: seconds at the first rate before the ramp, not recorded (JIT warm-up)")
  double prewarm;

  @Option(names = "--warmup", defaultValue = "5", description = "seconds")
  double warmup;

  @Option(names = "--duration", defaultValue = "10", description = "measured seconds")
  double duration;

  @Option(names = "--payload", defaultValue = "256", description = "W1/W2 ciphertext bytes")
  int payload;

  @Option(names = "--offline-users", defaultValue = "500", description = "W3 recipients")
  int offlineUsers;

  @Option(names = "--messages", defaultValue = "200", description = "W3 messages per recipient")
  int messages;

  @Option(names = "--offline-payload", defaultValue = "1024", description = "W3 bytes")
  int offlinePayload;

  @Option(names = "--window", defaultValue = "64", description = "W3 messages per batch")
  int window;

  @Option(
      names = "--offline-pause",
      defaultValue = "0",
      description =
          "W3: seconds between the last message stored and the logins (a recipient that was"
              + " away a while finds the server settled: its checkpoint of the backlog done)")
  int offlinePause;

  @Option(
      names = "--offline-warmup-messages",
      defaultValue = "0",
      description =
          "W3: before the measured round, a round of as many fresh senders and recipients with"
              + " this many messages each (stores and drain), not recorded: the measured round then"
              + " sees a warm server (0: none, a cold start)")
  int offlineWarmupMessages;

  @Option(
      names = "--offline-warmup-rounds",
      defaultValue = "1",
      description = "W3: how many warm-up rounds (each with users of its own)")
  int offlineWarmupRounds;

  @Option(
      names = "--client-stores",
      description = "W3 (sotto): folder for the recipients' client stores (default: the temp dir)")
  Path clientStores;

  @Option(names = "--idle", defaultValue = "1000", description = "W4 idle connections")
  int idle;

  @Option(
      names = "--watch",
      defaultValue = "0",
      description =
          "W4 (sotto): after login each connection watches the presence of this many users, the"
              + " ones opened just before it (a client's conversation peers)")
  int watch;

  @Option(names = "--ciphertexts", defaultValue = "16", description = "made per direction")
  int ciphertexts;

  @Option(names = "--prefix", defaultValue = "usr", description = "online user names")
  String prefix;

  @Option(names = "--offline-prefix", defaultValue = "off", description = "W3 recipients")
  String offlinePrefix;

  @Option(names = "--password", defaultValue = "bench-password-0")
  String password;

  @Option(names = "--xmpp-domain", defaultValue = "localhost")
  String xmppDomain;

  @Option(names = "--results", defaultValue = "bench/results", description = "table folder")
  Path results;

  @Option(names = "--note", defaultValue = "", description = "free text for the table")
  String note;

  private Vertx vertx;
  private final Map<String, NetClient> clients = new HashMap<>();

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.exit(
        new CommandLine(new LoadMain()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (port == null) {
      port =
          switch (target) {
            case SOTTO -> 7443;
            case RELAY -> 7444;
            case XMPP -> 5222;
          };
    }
    vertx =
        Vertx.vertx(
            new VertxOptions()
                .setEventLoopPoolSize(1)
                .setPreferNativeTransport(NativeIo.enabled()));
    System.out.printf(
        "load generator io: %s, %s%n",
        NativeIo.describe(), vertx.isNativeTransportEnabled() ? "epoll" : "NIO");
    try {
      switch (workload.toLowerCase(java.util.Locale.ROOT)) {
        case "w1" -> new RelayWorkload(this).runW1();
        case "w2" -> new RelayWorkload(this).runW2();
        case "w3" -> OfflineWorkload.run(this);
        case "w4" -> new IdleWorkload(this).run();
        default -> {
          System.err.println("unknown workload " + workload + " (w1, w2, w3, w4)");
          return 2;
        }
      }
      return 0;
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Loads and initializes the JDK's TLS client (classes, key-share generators) on this thread: done
   * lazily on the event loop it blocks the first handshake for seconds, long enough for ejabberd to
   * give up on a STARTTLS that has not begun.
   */
  private static void warmUpTls() throws Exception {
    javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
    context.init(null, null, null);
    javax.net.ssl.SSLEngine engine = context.createSSLEngine("localhost", 443);
    engine.setUseClientMode(true);
    engine.beginHandshake();
    java.nio.ByteBuffer net =
        java.nio.ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
    engine.wrap(java.nio.ByteBuffer.allocate(0), net);
    engine.closeOutbound();
  }

  // ------------------------------------------------------------------ shared by the workloads

  Vertx vertx() {
    return vertx;
  }

  /** Runs {@code action} on the event loop and waits for its future. */
  <T> T onLoop(Supplier<Future<T>> action, long timeoutSeconds) throws Exception {
    return onContext(vertx.getOrCreateContext(), action, timeoutSeconds);
  }

  /** Runs {@code action} on {@code context} and waits (at most the timeout) for its future. */
  static <T> T onContext(
      io.vertx.core.Context context, Supplier<Future<T>> action, long timeoutSeconds)
      throws Exception {
    CompletableFuture<T> done = new CompletableFuture<>();
    context.runOnContext(
        v -> {
          try {
            action
                .get()
                .onComplete(
                    (r, e) -> {
                      if (e != null) {
                        done.completeExceptionally(e);
                      } else {
                        done.complete(r);
                      }
                    });
          } catch (RuntimeException e) {
            done.completeExceptionally(e);
          }
        });
    return done.get(timeoutSeconds, TimeUnit.SECONDS);
  }

  /**
   * A source address on 127/8 for connection {@code i}: eight connections per address, so that the
   * servers' per-address login throttles (which a LAN server rightly has) see what a LAN of clients
   * would show them rather than one host logging in 1,000 accounts.
   */
  static String localAddress(int i) {
    int k = i / 8;
    return "127.1." + (k / 250) % 250 + "." + (k % 250 + 1);
  }

  private NetClient client(String local) {
    return clients.computeIfAbsent(
        local,
        a -> {
          NetClientOptions o =
              new NetClientOptions()
                  .setLocalAddress(a)
                  .setTcpNoDelay(true)
                  .setConnectTimeout(30_000)
                  .setHostnameVerificationAlgorithm("")
                  .setTrustAll(true)
                  .setSslEngineOptions(NativeIo.tlsEngine());
          if (target != Target.XMPP) {
            o.setSsl(true).setEnabledSecureTransportProtocols(Set.of("TLSv1.3"));
          }
          return vertx.createNetClient(o);
        });
  }

  /** A new, unopened connection for user {@code name}, number {@code i}. */
  LoadConnection connection(
      int i, String name, LoadConnection.Sink sink, List<LoadConnection> dirty) {
    NetClient c = client(localAddress(i));
    if (target == Target.XMPP) {
      return new XmppConnection(
          i,
          name,
          sink,
          dirty,
          c,
          host,
          port,
          xmppDomain,
          password,
          new ClientSSLOptions().setTrustAll(true).setHostnameVerificationAlgorithm(""));
    }
    return new SottoConnection(
        i, name, sink, dirty, c, host, port, target == Target.RELAY, password.toCharArray());
  }

  /**
   * Opens {@code conns} with at most {@code parallel} handshakes in flight (from the event loop).
   */
  Future<Void> openAll(List<LoadConnection> conns, int parallel) {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    int[] next = {0};
    int[] finished = {0};
    Throwable[] failure = {null};
    Runnable[] launch = new Runnable[1];
    launch[0] =
        () -> {
          if (next[0] >= conns.size()) {
            return;
          }
          LoadConnection c = conns.get(next[0]++);
          c.open()
              .onComplete(
                  (v, e) -> {
                    if (e != null && failure[0] == null) {
                      failure[0] = e;
                    }
                    if (++finished[0] == conns.size()) {
                      if (failure[0] != null) {
                        done.fail(failure[0]);
                      } else {
                        done.complete();
                      }
                    } else {
                      launch[0].run();
                    }
                  });
        };
    if (conns.isEmpty()) {
      return Future.succeededFuture();
    }
    for (int k = 0; k < Math.min(parallel, conns.size()); k++) {
      launch[0].run();
    }
    return done.future();
  }

  /** Closes {@code conns} (from the event loop). */
  static Future<Void> closeAll(List<LoadConnection> conns) {
    List<Future<Void>> all = new ArrayList<>();
    for (LoadConnection c : conns) {
      all.add(c.close());
    }
    return Future.join(all).mapEmpty();
  }

  /** A reading of the server, or null without {@code --server-pid}. */
  ProcStats.Sample serverSample() {
    if (serverPid == null) {
      return null;
    }
    try {
      return ProcStats.sample(serverPid);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  static ProcStats.Sample selfSample() {
    try {
      return ProcStats.sample("self");
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/self", e);
    }
  }

  /** The columns every table starts with. */
  java.util.LinkedHashMap<String, String> rowStart(String what) {
    java.util.LinkedHashMap<String, String> row = new java.util.LinkedHashMap<>();
    row.put("time", Instant.now().toString().substring(0, 19) + "Z");
    row.put("target", target.name().toLowerCase(java.util.Locale.ROOT));
    row.put("run", what);
    return row;
  }

  Path results() {
    return results;
  }

  String note() {
    return note;
  }

  /** What the tables say about the setup. */
  static String setupText() {
    return "Load generator: dev.sotto.bench.load.LoadMain, one JVM with one Vert.x event loop,"
        + " pinned with taskset to one core, the server to the other. Open-loop pacing (latency is"
        + " measured from each message's due time). Payloads are real Double Ratchet ciphertexts made"
        + " up front per pair by the keystore's SessionBuilder/SessionCipher and cycled. Sotto"
        + " accounts use Argon2id lowered to 8 MiB, 1 pass (the server's floor) (client-side AccountKeys.derive)."
        + " Server CPU is utime+stime from /proc/<pid>/stat over the measured window divided by the"
        + " messages delivered in it; bytes on the wire are TLS bytes counted below the generator's"
        + " TLS (both directions, all connections) per delivered message. A run whose generator is"
        + " above 80% of its core is marked invalid. The machine has 2 cores shared with other"
        + " work: figures marked smoke are noisy and use lowered sizes.";
  }
}
