package dev.sotto.bench.load;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * W1 (a fixed offered rate over connection pairs) and W2 (W1 at rising rates until p99 passes 50 ms
 * or delivery falls behind). Connection {@code 2p} and {@code 2p + 1} are partners; message {@code
 * i} goes from connection {@code i mod n} to its partner, so the rate is spread evenly.
 */
final class RelayWorkload implements LoadConnection.Sink {
  private static final double DELIVERED_FLOOR = 0.99;
  private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final LoadMain m;
  private final List<LoadConnection> dirty = LoadConnection.newDirtyList();
  private final List<LoadConnection> conns = new ArrayList<>();
  private final SecureRandom random = new SecureRandom();
  private Ciphertexts pool;

  // One step's state, touched only on the event loop.
  private Step step;
  private int failures;
  private String firstFailure = "";

  RelayWorkload(LoadMain m) {
    this.m = m;
  }

  /** The state and figures of one rate step. */
  private static final class Step {
    final RatePacer pacer;
    final long startIndex;
    final long endIndex;
    final int nonce;
    final Histogram latency = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
    final BitSet seen;
    long sent;
    long windowDelivered;
    long duplicates;
    long arrivalsInWindow;
    long storedInWindow;
    long storedTotal;
    long deliveredTotal;
    boolean inWindow;
    boolean ended;
    long endNanos;
    ProcStats.Sample serverStart;
    ProcStats.Sample serverEnd;
    ProcStats.Sample selfStart;
    ProcStats.Sample selfEnd;
    long wireStart;
    long wireEnd;
    final CompletableFuture<Void> done = new CompletableFuture<>();

    Step(RatePacer pacer, long startIndex, long endIndex, int nonce) {
      this.pacer = pacer;
      this.startIndex = startIndex;
      this.endIndex = endIndex;
      this.nonce = nonce;
      this.seen = new BitSet((int) (endIndex - startIndex));
    }
  }

  private void setUp() throws Exception {
    long t0 = System.nanoTime();
    pool = Ciphertexts.make(m.pairs, m.payload, m.ciphertexts, random);
    System.out.printf(
        "ciphertexts: %d pairs x 2 directions x %d real ratchet messages of %d bytes made up front"
            + " in %.1f s%n",
        m.pairs, m.ciphertexts, pool.size(), (System.nanoTime() - t0) / 1e9);
    for (int i = 0; i < 2 * m.pairs; i++) {
      conns.add(m.connection(i, m.prefix + i, this, dirty));
    }
    long t1 = System.nanoTime();
    m.onLoop(() -> m.openAll(conns, 16), 600);
    if (m.target == Target.XMPP) {
      m.onLoop(
          () -> {
            for (LoadConnection c : conns) {
              ((XmppConnection) c).announce();
            }
            LoadConnection.flushAll(dirty);
            return io.vertx.core.Future.succeededFuture();
          },
          10);
      Thread.sleep(1000); // let presence settle before the first message
    }
    System.out.printf(
        "connections: %d open and logged in in %.1f s%n",
        conns.size(), (System.nanoTime() - t1) / 1e9);
  }

  private void tearDown() throws Exception {
    m.onLoop(() -> LoadMain.closeAll(conns), 30);
  }

  void runW1() throws Exception {
    setUp();
    try {
      LinkedHashMap<String, String> row = runStep(m.rate, m.warmup, m.duration, "w1");
      record(row);
    } finally {
      tearDown();
    }
  }

  void runW2() throws Exception {
    setUp();
    double best = Double.NaN;
    String bestCpu = "n/a";
    String stop = "all rates sustained";
    StringBuilder steps = new StringBuilder();
    try {
      if (m.prewarm > 0) {
        LinkedHashMap<String, String> warm = runStep(m.rates.get(0), 0, m.prewarm, "prewarm");
        System.out.println("prewarm (not recorded) " + ResultsTable.summary(warm));
      }
      for (double r : m.rates) {
        LinkedHashMap<String, String> row = runStep(r, m.warmup, m.duration, "w2-step");
        record(row);
        double p99 = Double.parseDouble(row.get("p99_ms"));
        double deliveredFraction = Double.parseDouble(row.get("delivered_fraction"));
        boolean generatorLimited = row.get("valid").startsWith("INVALID");
        steps.append(String.format(java.util.Locale.ROOT, "%.0f:%.2fms ", r, p99));
        if (generatorLimited) {
          stop = "load generator above 80% CPU at " + (long) r + " msg/s (generator-limited)";
          break;
        }
        if (p99 > m.p99LimitMs) {
          stop =
              "p99 "
                  + row.get("p99_ms")
                  + " ms > "
                  + ResultsTable.num(m.p99LimitMs, 0)
                  + " ms at "
                  + (long) r
                  + " msg/s";
          break;
        }
        if (deliveredFraction < DELIVERED_FLOOR) {
          stop =
              "delivery behind (" + row.get("delivered_fraction") + ") at " + (long) r + " msg/s";
          break;
        }
        best = r;
        bestCpu = row.get("server_cpu_us_per_msg");
      }
    } finally {
      tearDown();
    }
    LinkedHashMap<String, String> w2 = m.rowStart("w2");
    w2.put("p99_limit_ms", ResultsTable.num(m.p99LimitMs, 0));
    w2.put("prewarm_s", ResultsTable.num(m.prewarm, 0));
    w2.put("saturation_msg_s", ResultsTable.num(best, 0));
    w2.put("server_cpu_us_per_msg_at_saturation", bestCpu);
    w2.put("stopped_by", stop);
    w2.put("steps_rate:p99", steps.toString().trim());
    w2.put("note", m.note());
    System.out.println("W2 " + ResultsTable.summary(w2));
    ResultsTable.append(
        m.results().resolve("w2-saturation.md"),
        "W2 saturation",
        LoadMain.setupText()
            + "\n\nW1 at rising rates until p99 passes p99_limit_ms (the issue's rule: 50 ms),"
            + " fewer than 99% of the window's"
            + " messages arrive, or the load generator passes 80% CPU; the highest rate that passed."
            + " Each step is also a row in w1-relay.md.",
        w2);
  }

  private void record(LinkedHashMap<String, String> row) throws Exception {
    System.out.println("W1 " + ResultsTable.summary(row));
    ResultsTable.append(
        m.results().resolve("w1-relay.md"),
        "W1 relay",
        LoadMain.setupText()
            + "\n\nConnections in pairs, a fixed offered rate spread evenly, warm-up then a measured"
            + " window. Latency is sender due time to recipient arrival. For xmpp the per-message"
            + " frames are message in and message out only (no store receipt, no ack).",
        row);
  }

  private LinkedHashMap<String, String> runStep(
      double rate, double warmupS, double durationS, String what) throws Exception {
    long startIndex = (long) Math.ceil(rate * warmupS);
    long endIndex = startIndex + (long) Math.ceil(rate * durationS);
    failures = 0;
    firstFailure = "";
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
    Step s = new Step(new RatePacer(rate, start), startIndex, endIndex, random.nextInt());
    long[] timer = {-1};
    m.onLoop(
        () -> {
          step = s;
          timer[0] = m.vertx().setPeriodic(1, t -> tick(s));
          return io.vertx.core.Future.succeededFuture();
        },
        10);
    long budget = (long) ((warmupS + durationS) * 1000) + 60_000;
    try {
      s.done.get(budget, TimeUnit.MILLISECONDS);
    } finally {
      m.onLoop(
          () -> {
            m.vertx().cancelTimer(timer[0]);
            return io.vertx.core.Future.succeededFuture();
          },
          10);
    }
    // Let stragglers from this step arrive before the next one starts.
    Thread.sleep(500);
    return figures(s, rate, what, durationS);
  }

  private void tick(Step s) {
    long now = System.nanoTime();
    if (!s.ended) {
      long due = Math.min(s.pacer.dueCount(now), s.endIndex);
      int n = conns.size();
      while (s.sent < due) {
        long i = s.sent;
        if (i == s.startIndex) {
          s.inWindow = true;
          s.serverStart = m.serverSample();
          s.selfStart = LoadMain.selfSample();
          s.wireStart = LoadMain.WIRE.total();
        }
        int from = (int) (i % n);
        conns
            .get(from)
            .send(conns.get(from ^ 1), id(s.pacer.dueNanos(i), i, s.nonce), pool.next(from));
        s.sent++;
      }
      LoadConnection.flushAll(dirty);
      if (s.sent == s.endIndex) {
        s.ended = true;
        s.inWindow = false;
        s.endNanos = now;
        s.serverEnd = m.serverSample();
        s.selfEnd = LoadMain.selfSample();
        s.wireEnd = LoadMain.WIRE.total();
      }
    } else {
      LoadConnection.flushAll(dirty);
      long windowCount = s.endIndex - s.startIndex;
      if (s.windowDelivered >= windowCount || now - s.endNanos > DRAIN_NANOS) {
        s.done.complete(null);
      }
    }
  }

  static byte[] id(long dueNanos, long index, int nonce) {
    return ByteBuffer.allocate(16).putLong(dueNanos).putInt((int) index).putInt(nonce).array();
  }

  @Override
  public void delivered(LoadConnection at, byte[] id, long nowNanos) {
    Step s = step;
    if (s == null || id.length != 16) {
      return;
    }
    ByteBuffer b = ByteBuffer.wrap(id);
    long due = b.getLong();
    long index = b.getInt() & 0xFFFFFFFFL;
    int nonce = b.getInt();
    if (nonce != s.nonce) {
      return; // a straggler from an earlier step
    }
    s.deliveredTotal++;
    if (s.inWindow) {
      s.arrivalsInWindow++;
    }
    if (index >= s.startIndex && index < s.endIndex) {
      int bit = (int) (index - s.startIndex);
      if (s.seen.get(bit)) {
        s.duplicates++;
        return;
      }
      s.seen.set(bit);
      s.windowDelivered++;
      s.latency.recordValue(Math.max(0, (nowNanos - due) / 1000));
    }
  }

  @Override
  public void batchStored(LoadConnection at, long nowNanos) {}

  @Override
  public void stored(LoadConnection at, long nowNanos) {
    Step s = step;
    if (s != null) {
      s.storedTotal++;
      if (s.inWindow) {
        s.storedInWindow++;
      }
    }
  }

  @Override
  public void failed(LoadConnection at, String what) {
    if (failures++ == 0) {
      firstFailure = "conn " + at.index + ": " + what;
    }
  }

  private LinkedHashMap<String, String> figures(Step s, double rate, String what, double durS) {
    long windowCount = s.endIndex - s.startIndex;
    double windowSeconds = (s.selfEnd.wallNanos() - s.selfStart.wallNanos()) / 1e9;
    double selfCpu = s.selfEnd.coreFractionSince(s.selfStart);
    long arrivals = Math.max(1, s.arrivalsInWindow);
    LinkedHashMap<String, String> row = m.rowStart(what);
    row.put("connections", Integer.toString(conns.size()));
    row.put("payload_B", Integer.toString(pool.size()));
    row.put("offered_msg_s", ResultsTable.num(rate, 0));
    row.put("window_s", ResultsTable.num(durS, 1));
    row.put("delivered_msg_s", ResultsTable.num(s.windowDelivered / durS, 0));
    row.put("delivered_fraction", ResultsTable.num(s.windowDelivered / (double) windowCount, 4));
    row.put("p50_ms", ResultsTable.num(s.latency.getValueAtPercentile(50) / 1000.0, 2));
    row.put("p99_ms", ResultsTable.num(s.latency.getValueAtPercentile(99) / 1000.0, 2));
    row.put("p99.9_ms", ResultsTable.num(s.latency.getValueAtPercentile(99.9) / 1000.0, 2));
    row.put("max_ms", ResultsTable.num(s.latency.getMaxValue() / 1000.0, 2));
    if (s.serverStart != null && s.serverEnd != null) {
      row.put(
          "server_cpu_us_per_msg",
          ResultsTable.num(s.serverEnd.cpuMicrosSince(s.serverStart) / (double) arrivals, 1));
      row.put(
          "server_cpu_pct",
          ResultsTable.num(100 * s.serverEnd.coreFractionSince(s.serverStart), 0));
      row.put("server_rss_MiB", ResultsTable.num(s.serverEnd.rssKib() / 1024.0, 0));
    } else {
      row.put("server_cpu_us_per_msg", "n/a");
      row.put("server_cpu_pct", "n/a");
      row.put("server_rss_MiB", "n/a");
    }
    row.put("wire_B_per_msg", ResultsTable.num((s.wireEnd - s.wireStart) / (double) arrivals, 0));
    row.put("loadgen_cpu_pct", ResultsTable.num(100 * selfCpu, 0));
    row.put(
        "valid",
        selfCpu > 0.8
            ? "INVALID (generator >80%)"
            : windowSeconds > durS * 1.5 ? "INVALID (generator fell behind the schedule)" : "yes");
    row.put("duplicates", Long.toString(s.duplicates));
    row.put("errors", failures == 0 ? "0" : failures + " (" + firstFailure + ")");
    row.put("note", m.note());
    // Not in the table (its columns are fixed): tells "accepted but not pushed" from "not
    // accepted".
    System.out.printf(
        "W1 detail run=%s sent=%d stored_total=%d delivered_total=%d stored_in_window=%d"
            + " delivered_in_window=%d%n",
        what, s.sent, s.storedTotal, s.deliveredTotal, s.storedInWindow, s.arrivalsInWindow);
    return row;
  }
}
