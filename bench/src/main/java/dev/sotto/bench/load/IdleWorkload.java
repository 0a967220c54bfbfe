package dev.sotto.bench.load;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * W4: opens {@code --idle} connections (logged in: Sotto login, and with {@code --watch N} a {@code
 * WatchPresence} of the N users opened before; XMPP bind and presence; TLS only for the relay),
 * lets the server settle, and reports the growth of its resident memory per connection, and its CPU
 * while they sit idle.
 */
final class IdleWorkload implements LoadConnection.Sink {
  private final LoadMain m;
  private final List<LoadConnection> dirty = LoadConnection.newDirtyList();
  private int failures;
  private String firstFailure = "";

  IdleWorkload(LoadMain m) {
    this.m = m;
  }

  void run() throws Exception {
    if (m.serverSample() == null) {
      throw new IllegalStateException("W4 needs --server-pid");
    }
    List<LoadConnection> conns = new ArrayList<>();
    for (int i = 0; i < m.idle; i++) {
      LoadConnection c = m.connection(i, m.prefix + i, this, dirty);
      if (m.watch > 0 && c instanceof SottoConnection s) {
        // The users opened just before this one: they exist by then (mostly; unknown names are
        // left out by the server), so each login is answered by a snapshot of up to --watch users
        // and each user ends up watched by the --watch users opened after it.
        List<String> peers = new ArrayList<>();
        for (int j = Math.max(0, i - m.watch); j < i; j++) {
          peers.add(m.prefix + j);
        }
        s.watchAfterLogin(peers);
      }
      conns.add(c);
    }
    // A first tenth (at most 100) warms the server up (JIT, TLS, buffers), so that the baseline
    // does not charge start-up costs to the connections.
    int warm = Math.max(1, Math.min(100, conns.size() / 10));
    List<LoadConnection> first = conns.subList(0, warm);
    List<LoadConnection> rest = conns.subList(warm, conns.size());
    m.onLoop(() -> m.openAll(first, 16), 1200);
    announce(first);
    Thread.sleep(3000);
    boolean jvm = m.target != Target.XMPP;
    long heapBefore = jvm ? JvmHeap.liveKibAfterGc(m.serverPid) : -1;
    ProcStats.Sample before = m.serverSample();
    long t0 = System.nanoTime();
    m.onLoop(() -> m.openAll(rest, 16), 1200);
    double openSeconds = (System.nanoTime() - t0) / 1e9;
    announce(rest);
    Thread.sleep(5000);
    ProcStats.Sample settled = m.serverSample();
    Thread.sleep(5000);
    ProcStats.Sample after = m.serverSample();
    long heapAfter = jvm ? JvmHeap.liveKibAfterGc(m.serverPid) : -1;
    m.onLoop(() -> LoadMain.closeAll(conns), 120);
    LinkedHashMap<String, String> row = m.rowStart("w4");
    row.put("connections", Integer.toString(conns.size()));
    row.put("measured_conns", Integer.toString(rest.size()));
    row.put("open_s", ResultsTable.num(openSeconds, 1));
    row.put("rss_before_MiB", ResultsTable.num(before.rssKib() / 1024.0, 0));
    row.put("rss_after_MiB", ResultsTable.num(after.rssKib() / 1024.0, 0));
    row.put(
        "KiB_per_conn",
        ResultsTable.num(
            (after.rssKib() - before.rssKib()) / (double) Math.max(1, rest.size()), 1));
    row.put(
        "live_heap_KiB_per_conn",
        heapBefore < 0 || heapAfter < 0
            ? "n/a"
            : ResultsTable.num((heapAfter - heapBefore) / (double) Math.max(1, rest.size()), 1));
    row.put("idle_cpu_pct", ResultsTable.num(100 * after.coreFractionSince(settled), 1));
    row.put("errors", failures == 0 ? "0" : failures + " (" + firstFailure + ")");
    row.put("note", m.watch > 0 ? (m.note() + " watch=" + m.watch).trim() : m.note());
    System.out.println("W4 " + ResultsTable.summary(row));
    ResultsTable.append(
        m.results().resolve("w4-idle.md"),
        "W4 idle connections",
        LoadMain.setupText()
            + "\n\nServer RSS (VmRSS) after a first tenth of the connections (at most 100, to"
            + " warm the server up) and 5 s after the rest opened; the difference per connection of"
            + " the rest. RSS of a JVM includes heap it has grown and not returned, so it is an"
            + " upper bound; for the JVM targets live_heap_KiB_per_conn is the growth of the heap"
            + " in use after a full GC (jcmd GC.run, GC.heap_info), which leaves out off-heap"
            + " buffers (TLS engines, direct memory) that RSS does count.",
        row);
  }

  private void announce(List<LoadConnection> conns) throws Exception {
    if (m.target != Target.XMPP) {
      return;
    }
    m.onLoop(
        () -> {
          for (LoadConnection c : conns) {
            ((XmppConnection) c).announce();
          }
          LoadConnection.flushAll(dirty);
          return Future.succeededFuture();
        },
        10);
  }

  @Override
  public void delivered(LoadConnection at, byte[] id, long nowNanos) {}

  @Override
  public void batchStored(LoadConnection at, long nowNanos) {}

  @Override
  public void failed(LoadConnection at, String what) {
    if (failures++ == 0) {
      firstFailure = "conn " + at.index + ": " + what;
    }
  }
}
