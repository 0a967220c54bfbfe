package dev.sotto.bench.load;

import io.vertx.core.Future;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * W3: {@code N} recipients are offline while {@code N} senders (sender {@code i} to recipient
 * {@code i}) send {@code M} messages each in batches of {@code window}, the next batch once the
 * server has stored the last (Sotto: every {@code Stored}; XMPP: a ping result after the batch).
 * Store rate = N * M / time until the last batch is stored. Then the recipients log in together;
 * drain = time from the start of the logins until each recipient holds all of its M messages
 * (received and, for Sotto, acked in the next flush).
 */
final class OfflineWorkload implements LoadConnection.Sink {
  private final LoadMain m;
  private final List<LoadConnection> dirty = LoadConnection.newDirtyList();
  private final SecureRandom random = new SecureRandom();
  private final List<LoadConnection> senders = new ArrayList<>();
  private final List<LoadConnection> recipients = new ArrayList<>();
  private Ciphertexts pool;
  private int[] sentBy;
  private int[] receivedBy;
  private long[] completedAt;
  private int batchesOutstanding;
  private int recipientsComplete;
  private long storeDoneNanos;
  private long duplicates;
  private int failures;
  private String firstFailure = "";
  private CompletableFuture<Void> phase;

  OfflineWorkload(LoadMain m) {
    this.m = m;
  }

  void run() throws Exception {
    int n = m.offlineUsers;
    if (m.target == Target.RELAY) {
      System.out.println("W3 target=relay: n/a, the limit relay stores nothing");
      return;
    }
    long t0 = System.nanoTime();
    // Pairs (sender i, recipient i) give one ciphertext stream per sender: even slots of the pool.
    pool = Ciphertexts.make(n, m.offlinePayload, m.ciphertexts, random);
    System.out.printf(
        "ciphertexts: %d senders x %d real ratchet messages of %d bytes made up front in %.1f s%n",
        n, m.ciphertexts, pool.size(), (System.nanoTime() - t0) / 1e9);
    for (int i = 0; i < n; i++) {
      senders.add(m.connection(i, m.prefix + i, this, dirty));
      recipients.add(m.connection(n + i, m.offlinePrefix + i, this, dirty));
    }
    sentBy = new int[n];
    receivedBy = new int[n];
    completedAt = new long[n];
    if (m.target == Target.SOTTO) {
      // Make sure the recipients' accounts exist, then leave them offline.
      m.onLoop(() -> m.openAll(recipients, 16), 600);
      m.onLoop(() -> LoadMain.closeAll(recipients), 60);
      recipients.replaceAll(c -> m.connection(c.index, c.username, this, dirty));
      Thread.sleep(500);
    }
    m.onLoop(() -> m.openAll(senders, 16), 600);
    System.out.printf("senders: %d logged in; recipients offline%n", n);

    // Store phase.
    phase = new CompletableFuture<>();
    ProcStats.Sample server0 = m.serverSample();
    ProcStats.Sample self0 = LoadMain.selfSample();
    long start = System.nanoTime();
    long[] flusher = {-1};
    m.onLoop(
        () -> {
          flusher[0] = m.vertx().setPeriodic(1, t -> LoadConnection.flushAll(dirty));
          batchesOutstanding = n;
          for (int i = 0; i < n; i++) {
            sendBatch(i);
          }
          LoadConnection.flushAll(dirty);
          return Future.succeededFuture();
        },
        10);
    phase.get(600, TimeUnit.SECONDS);
    ProcStats.Sample server1 = m.serverSample();
    ProcStats.Sample self1 = LoadMain.selfSample();
    long total = (long) n * m.messages;
    double storeSeconds = (storeDoneNanos - start) / 1e9;
    System.out.printf("stored %d messages in %.2f s%n", total, storeSeconds);
    m.onLoop(() -> LoadMain.closeAll(senders), 60);

    // Drain phase.
    phase = new CompletableFuture<>();
    long drainStart = System.nanoTime();
    m.onLoop(
        () ->
            m.openAll(recipients, 16)
                .onSuccess(
                    v -> {
                      if (m.target == Target.XMPP) {
                        for (LoadConnection c : recipients) {
                          ((XmppConnection) c).announce();
                        }
                        LoadConnection.flushAll(dirty);
                      }
                    }),
        600);
    phase.get(600, TimeUnit.SECONDS);
    Thread.sleep(200); // the last acks go out with the next flush
    long drainEnd = Arrays.stream(completedAt).max().orElse(drainStart);
    m.onLoop(
        () -> {
          m.vertx().cancelTimer(flusher[0]);
          return LoadMain.closeAll(recipients);
        },
        60);

    LinkedHashMap<String, String> row = m.rowStart("w3");
    row.put("recipients", Integer.toString(n));
    row.put("msgs_each", Integer.toString(m.messages));
    row.put("payload_B", Integer.toString(pool.size()));
    row.put("window", Integer.toString(m.window));
    row.put("store_msg_s", ResultsTable.num(total / storeSeconds, 0));
    if (server0 != null && server1 != null) {
      row.put(
          "server_cpu_us_per_stored_msg",
          ResultsTable.num(server1.cpuMicrosSince(server0) / (double) total, 1));
    } else {
      row.put("server_cpu_us_per_stored_msg", "n/a");
    }
    row.put("drain_all_ms", ResultsTable.num((drainEnd - drainStart) / 1e6, 0));
    row.put("loadgen_cpu_pct_store", ResultsTable.num(100 * self1.coreFractionSince(self0), 0));
    row.put("duplicates", Long.toString(duplicates));
    row.put("errors", failures == 0 ? "0" : failures + " (" + firstFailure + ")");
    row.put("note", m.note());
    System.out.println("W3 " + ResultsTable.summary(row));
    ResultsTable.append(
        m.results().resolve("w3-offline.md"),
        "W3 offline",
        LoadMain.setupText()
            + "\n\nN offline recipients x M messages, sent by N online senders in batches of"
            + " `window`, the next batch after the server confirmed the last one (Sotto: Stored"
            + " after the group commit; XMPP: an XEP-0199 ping answered after the batch was"
            + " routed to offline storage). drain_all_ms: from the start of all recipients' logins"
            + " (TLS, login) until every recipient has received all of its messages; the"
            + " messages are counted on arrival, not written into a client-side store.",
        row);
  }

  private void sendBatch(int i) {
    LoadConnection from = senders.get(i);
    LoadConnection to = recipients.get(i);
    int k = Math.min(m.window, m.messages - sentBy[i]);
    for (int j = 0; j < k; j++) {
      long seq = (long) i * m.messages + sentBy[i];
      from.send(to, RelayWorkload.id(System.nanoTime(), seq, 0), pool.next(2 * i));
      sentBy[i]++;
    }
    from.markBatchEnd();
  }

  @Override
  public void batchStored(LoadConnection at, long nowNanos) {
    int i = at.index;
    if (i >= senders.size()) {
      return;
    }
    if (sentBy[i] < m.messages) {
      sendBatch(i);
    } else if (--batchesOutstanding == 0) {
      storeDoneNanos = nowNanos;
      phase.complete(null);
    }
  }

  @Override
  public void delivered(LoadConnection at, byte[] id, long nowNanos) {
    int r = at.index - senders.size();
    if (r < 0) {
      return;
    }
    if (++receivedBy[r] > m.messages) {
      duplicates++;
      return;
    }
    if (receivedBy[r] == m.messages) {
      completedAt[r] = nowNanos;
      if (++recipientsComplete == recipients.size()) {
        phase.complete(null);
      }
    }
  }

  @Override
  public void failed(LoadConnection at, String what) {
    if (failures++ == 0) {
      firstFailure = "conn " + at.index + ": " + what;
    }
  }
}
