package dev.sotto.bench.load;

import dev.sotto.keystore.store.Conversation;
import dev.sotto.server.mailbox.Mailboxes;
import io.vertx.core.Future;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * W3: {@code N} recipients are offline while {@code N} senders (sender {@code i} to recipient
 * {@code i}) send {@code M} messages each in batches of {@code window}, the next batch once the
 * server has stored the last (Sotto: every {@code Stored}; XMPP: a ping result after the batch).
 * Store rate = N * M / time until the last batch is stored. Then the recipients log in together;
 * drain = time from the start of the logins until each recipient holds all of its M messages. For
 * Sotto each recipient writes every pushed message into its own client store ({@link ClientInbox}:
 * the client's {@code LocalStore} with product options, one transaction per drained burst) and acks
 * it after that commit, as the client does; the drain ends when the last message is durable there
 * (the time of its arrival is reported too). The payload is stored as received: decryption is not
 * included. For XMPP messages are counted on arrival.
 *
 * <p>With {@code --offline-warmup-messages K}, a whole round of the same shape (its own {@code N}
 * senders and recipients, {@code K} messages each, stores and drain) runs first and is not
 * recorded: the measured round then sees a server past its start-up (JIT compilation took about a
 * third of Sotto's core in a cold store phase). The warm-up round's users have names of their own
 * ({@code wu} before the prefixes) and connection numbers, hence source addresses, of their own, so
 * the measured round's logins do not meet the per-address login throttle.
 */
final class OfflineWorkload implements LoadConnection.Sink {
  /** The server's default mailbox quota, which {@code bench/run.sh} leaves as it is. */
  static final int MAILBOX_LIMIT = Mailboxes.Limits.defaults().maxMessages();

  private final LoadMain m;
  private final List<LoadConnection> dirty = LoadConnection.newDirtyList();
  private final SecureRandom random = new SecureRandom();
  private final List<LoadConnection> senders = new ArrayList<>();
  private final List<LoadConnection> recipients = new ArrayList<>();
  private final Ciphertexts pool;
  private int[] sentBy;
  private int[] receivedBy;
  private long[] completedAt;
  private int[] durableBy;
  private long[] durableAt;
  private int recipientsDurable;
  private final List<ClientInbox> inboxes = new ArrayList<>();
  private int batchesOutstanding;
  private int recipientsComplete;
  private long storeDoneNanos;
  private long duplicates;
  private long loggedInNanos;
  private long firstArrivalNanos;
  private int failures;
  private String firstFailure = "";
  private CompletableFuture<Void> phase;

  /** The round's first connection number: senders are base..base+N-1, recipients follow. */
  private final int base;

  private final String senderPrefix;
  private final String recipientPrefix;
  private final int messages;
  private final boolean recorded;

  private OfflineWorkload(
      LoadMain m,
      int base,
      String senderPrefix,
      String recipientPrefix,
      int messages,
      boolean recorded,
      Ciphertexts pool) {
    this.m = m;
    this.base = base;
    this.senderPrefix = senderPrefix;
    this.recipientPrefix = recipientPrefix;
    this.messages = messages;
    this.recorded = recorded;
    this.pool = pool;
  }

  /**
   * The user-name prefix of warm-up round {@code round}'s users: {@code wu} (then the round's
   * number from the second round on) before the given prefix.
   */
  static String warmUpPrefix(int round, String prefix) {
    return "wu" + (round == 0 ? "" : Integer.toString(round)) + prefix;
  }

  /** Runs W3 as the options say: the warm-up rounds when asked for, then the measured round. */
  static void run(LoadMain m) throws Exception {
    int n = m.offlineUsers;
    if (m.target == Target.RELAY) {
      System.out.println("W3 target=relay: n/a, the limit relay stores nothing");
      return;
    }
    if (m.target == Target.SOTTO && Math.max(m.messages, m.offlineWarmupMessages) > MAILBOX_LIMIT) {
      // The sends past the limit would fail MAILBOX_FULL and the drain wait for them forever.
      throw new IllegalArgumentException(
          "a Sotto mailbox holds at most "
              + MAILBOX_LIMIT
              + " messages (the server's default quota): use more recipients or rounds");
    }
    long t0 = System.nanoTime();
    // Pairs (sender i, recipient i) give one ciphertext stream per sender: even slots of the pool.
    Ciphertexts pool = Ciphertexts.make(n, m.offlinePayload, m.ciphertexts, new SecureRandom());
    System.out.printf(
        "ciphertexts: %d senders x %d real ratchet messages of %d bytes made up front in %.1f s%n",
        n, m.ciphertexts, pool.size(), (System.nanoTime() - t0) / 1e9);
    int rounds = m.offlineWarmupMessages > 0 ? m.offlineWarmupRounds : 0;
    for (int r = 0; r < rounds; r++) {
      System.out.printf(
          "warm-up round %d of %d: %d senders x %d messages, not recorded%n",
          r + 1, rounds, n, m.offlineWarmupMessages);
      new OfflineWorkload(
              m,
              2 * n * (r + 1),
              warmUpPrefix(r, m.prefix),
              warmUpPrefix(r, m.offlinePrefix),
              m.offlineWarmupMessages,
              false,
              pool)
          .runRound();
    }
    if (rounds > 0) {
      System.out.println("measured round");
    }
    new OfflineWorkload(m, 0, m.prefix, m.offlinePrefix, m.messages, true, pool).runRound();
  }

  private void runRound() throws Exception {
    int n = m.offlineUsers;
    for (int i = 0; i < n; i++) {
      senders.add(m.connection(base + i, senderPrefix + i, this, dirty));
      recipients.add(m.connection(base + n + i, recipientPrefix + i, this, dirty));
    }
    sentBy = new int[n];
    receivedBy = new int[n];
    completedAt = new long[n];
    durableBy = new int[n];
    durableAt = new long[n];
    if (m.target == Target.SOTTO) {
      // Make sure the recipients' accounts exist, then leave them offline.
      m.onLoop(() -> m.openAll(recipients, 16), 600);
      m.onLoop(() -> LoadMain.closeAll(recipients), 60);
      recipients.replaceAll(c -> m.connection(c.index, c.username, this, dirty));
      recipients.forEach(c -> ((SottoConnection) c).accountExists());
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
    long total = (long) n * messages;
    double storeSeconds = (storeDoneNanos - start) / 1e9;
    System.out.printf("stored %d messages in %.2f s%n", total, storeSeconds);
    m.onLoop(() -> LoadMain.closeAll(senders), 60);

    // Drain phase: each Sotto recipient gets its own client store first (not timed).
    Path storesDir = null;
    if (m.target == Target.SOTTO) {
      storesDir = openClientStores();
    }
    if (m.offlinePause > 0) {
      System.out.printf("pausing %d s before the logins%n", m.offlinePause);
      Thread.sleep(m.offlinePause * 1000L);
    }
    phase = new CompletableFuture<>();
    ProcStats.Sample selfDrain0 = LoadMain.selfSample();
    ProcStats.Sample serverDrain0 = m.serverSample();
    long storeThreads0 = ThreadCpu.nanosOf(ClientInbox::isStoreThread);
    long drainStart = System.nanoTime();
    m.onLoop(
        () ->
            m.openAll(recipients, 16)
                .onSuccess(
                    v -> {
                      loggedInNanos = System.nanoTime();
                      if (m.target == Target.XMPP) {
                        for (LoadConnection c : recipients) {
                          ((XmppConnection) c).announce();
                        }
                        LoadConnection.flushAll(dirty);
                      }
                    }),
        600);
    phase.get(600, TimeUnit.SECONDS);
    ProcStats.Sample selfDrain1 = LoadMain.selfSample();
    ProcStats.Sample serverDrain1 = m.serverSample();
    long storeThreads1 = ThreadCpu.nanosOf(ClientInbox::isStoreThread);
    Thread.sleep(200); // the last acks go out with the next flush
    long arrivedEnd = Arrays.stream(completedAt).max().orElse(drainStart);
    long durableEnd = Arrays.stream(durableAt).max().orElse(drainStart);
    System.out.printf(
        "drain: all logged in at %.0f ms, first message at %.0f ms, all arrived at %.0f ms, all"
            + " durable at %.0f ms%n",
        (loggedInNanos - drainStart) / 1e6,
        (firstArrivalNanos - drainStart) / 1e6,
        (arrivedEnd - drainStart) / 1e6,
        (durableEnd - drainStart) / 1e6);
    m.onLoop(
        () -> {
          m.vertx().cancelTimer(flusher[0]);
          return LoadMain.closeAll(recipients);
        },
        60);

    if (!recorded) {
      long written = inboxes.isEmpty() ? total : storedInClientStores();
      System.out.printf(
          "warm-up round: stored %d in %.2f s, drained in %.2f s, %d in client stores, %d errors%n",
          total,
          storeSeconds,
          (Math.max(arrivedEnd, durableEnd) - drainStart) / 1e9,
          written,
          failures);
      closeClientStores(storesDir);
      if (failures > 0 || written != total) {
        throw new IllegalStateException("the warm-up round failed: " + firstFailure);
      }
      return;
    }
    LinkedHashMap<String, String> row = m.rowStart("w3");
    row.put("recipients", Integer.toString(n));
    row.put("msgs_each", Integer.toString(messages));
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
    row.put("drain_all_ms", ResultsTable.num((arrivedEnd - drainStart) / 1e6, 0));
    boolean stores = !inboxes.isEmpty();
    row.put(
        "drain_into_store_ms",
        stores ? ResultsTable.num((durableEnd - drainStart) / 1e6, 0) : "n/a");
    row.put("loadgen_cpu_pct_store", ResultsTable.num(100 * self1.coreFractionSince(self0), 0));
    row.put(
        "loadgen_cpu_pct_drain",
        ResultsTable.num(100 * selfDrain1.coreFractionSince(selfDrain0), 0));
    row.put(
        "server_cpu_pct_drain",
        serverDrain0 != null && serverDrain1 != null
            ? ResultsTable.num(100 * serverDrain1.coreFractionSince(serverDrain0), 0)
            : "n/a");
    row.put(
        "client_store_cpu_us_per_msg",
        stores ? ResultsTable.num((storeThreads1 - storeThreads0) / 1e3 / total, 1) : "n/a");
    row.put("duplicates", Long.toString(duplicates));
    long written = stores ? storedInClientStores() : 0;
    if (stores && written != total) {
      fail(null, "client stores hold " + written + " of " + total + " messages");
    }
    row.put("errors", failures == 0 ? "0" : failures + " (" + firstFailure + ")");
    String pause = m.offlinePause > 0 ? "logins " + m.offlinePause + " s after the last store" : "";
    String warm =
        m.offlineWarmupMessages > 0
            ? "after "
                + m.offlineWarmupRounds
                + " warm-up round(s) of "
                + n
                + " x "
                + m.offlineWarmupMessages
            : "";
    row.put("note", String.join(" ", m.note(), pause, warm).strip().replaceAll(" +", " "));
    System.out.println("W3 " + ResultsTable.summary(row));
    ResultsTable.append(
        m.results().resolve("w3-offline.md"),
        "W3 offline",
        LoadMain.setupText()
            + "\n\nN offline recipients x M messages, sent by N online senders in batches of"
            + " `window`, the next batch after the server confirmed the last one (Sotto: Stored"
            + " after the group commit; XMPP: an XEP-0199 ping answered after the batch was"
            + " routed to offline storage). drain_all_ms: from the start of all recipients' logins"
            + " (TLS, login) until every recipient has received all of its messages, counted on"
            + " arrival. drain_into_store_ms (Sotto): from the same start until the last message is"
            + " durable in its recipient's own client store: each recipient has a client"
            + " LocalStore (the client's JournaledStore with product StoreOptions and group"
            + " commit, in a temp dir under the run's directory) and a worker thread, and, as the"
            + " client's Receiver does, commits each drained burst (at most 256 messages per"
            + " transaction: history row, message-id index, unread count) and sends AckMessages"
            + " only after that commit; payload stored as received; decryption not included."
            + " loadgen_cpu_pct_drain: the generator's CPU during the drain, the client stores'"
            + " threads included (they run in the generator JVM); client_store_cpu_us_per_msg:"
            + " CPU of the client workers' and stores' threads per drained message. Rows without"
            + " client stores show n/a there.",
        row);
    closeClientStores(storesDir);
  }

  private Path openClientStores() throws Exception {
    Path parent =
        m.clientStores != null ? m.clientStores : Path.of(System.getProperty("java.io.tmpdir"));
    Files.createDirectories(parent);
    Path dir = Files.createTempDirectory(parent, "w3-client-stores-");
    long t0 = System.nanoTime();
    for (LoadConnection c : recipients) {
      SottoConnection sc = (SottoConnection) c;
      ClientInbox inbox =
          ClientInbox.create(
              dir.resolve(c.username),
              c.username,
              random,
              sc::durableOnWorker,
              what -> m.vertx().runOnContext(v -> fail(c, what)));
      inboxes.add(inbox);
      sc.storeInto(inbox);
    }
    System.out.printf(
        "client stores: %d created in %s in %.1f s%n",
        inboxes.size(), dir, (System.nanoTime() - t0) / 1e9);
    return dir;
  }

  /** Messages the recipients' client stores hold, read back from them. */
  private long storedInClientStores() throws Exception {
    long sum = 0;
    for (int i = 0; i < inboxes.size(); i++) {
      sum +=
          inboxes
              .get(i)
              .store()
              .conversation(senderPrefix + i)
              .map(Conversation::lastSeq)
              .orElse(0L);
    }
    return sum;
  }

  private void closeClientStores(Path dir) throws Exception {
    for (ClientInbox inbox : inboxes) {
      inbox.close();
    }
    if (dir != null) {
      try (var paths = Files.walk(dir)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  private void sendBatch(int i) {
    LoadConnection from = senders.get(i);
    LoadConnection to = recipients.get(i);
    int k = Math.min(m.window, messages - sentBy[i]);
    for (int j = 0; j < k; j++) {
      long seq = (long) i * messages + sentBy[i];
      from.send(to, RelayWorkload.id(System.nanoTime(), seq, 0), pool.next(2 * i));
      sentBy[i]++;
    }
    from.markBatchEnd();
  }

  @Override
  public void batchStored(LoadConnection at, long nowNanos) {
    int i = at.index - base;
    if (i >= senders.size()) {
      return;
    }
    if (sentBy[i] < messages) {
      sendBatch(i);
    } else if (--batchesOutstanding == 0) {
      storeDoneNanos = nowNanos;
      phase.complete(null);
    }
  }

  @Override
  public void delivered(LoadConnection at, byte[] id, long nowNanos) {
    int r = at.index - base - senders.size();
    if (r < 0) {
      return;
    }
    if (firstArrivalNanos == 0) {
      firstArrivalNanos = nowNanos;
    }
    if (++receivedBy[r] > messages) {
      duplicates++;
      return;
    }
    if (receivedBy[r] == messages) {
      completedAt[r] = nowNanos;
      if (++recipientsComplete == recipients.size()
          && (inboxes.isEmpty() || recipientsDurable == recipients.size())) {
        phase.complete(null);
      }
    }
  }

  @Override
  public void durable(LoadConnection at, int count, long nowNanos) {
    int r = at.index - base - senders.size();
    durableBy[r] += count;
    if (durableBy[r] >= messages && durableAt[r] == 0) {
      durableAt[r] = nowNanos;
      if (++recipientsDurable == recipients.size() && recipientsComplete == recipients.size()) {
        phase.complete(null);
      }
    }
  }

  @Override
  public void failed(LoadConnection at, String what) {
    fail(at, what);
  }

  private void fail(LoadConnection at, String what) {
    if (failures++ == 0) {
      firstFailure = (at == null ? "" : "conn " + at.index + ": ") + what;
    }
  }
}
