package dev.sotto.server;

import com.google.protobuf.ByteString;
import dev.sotto.wire.proto.AckMessages;
import dev.sotto.wire.proto.Frame;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Crash campaign for messages: runs the real server in a child JVM ({@link CampaignServerMain}),
 * registers accounts, drives sends between them while receivers ack what they get, kills the server
 * with SIGKILL at a random moment, restarts it on the same data directory, and repeats. One cycle
 * also overwrites the middle of the MapDB file while the server is down, so the store must rebuild
 * it from its journal.
 *
 * <p>The clients behave as real ones: a sender keeps every message it has not seen {@code Stored}
 * for in an outbox and resends it, with the same id, after the restart; a receiver records a
 * message, then acks it. Checked at the end, after a last clean round that drains every mailbox:
 *
 * <ul>
 *   <li>lost: a message acknowledged {@code Stored} that never reached its recipient (must be 0);
 *   <li>duplicated: a message pushed again after the server confirmed its ack (must be 0);
 *   <li>every account logs in after every restart.
 * </ul>
 *
 * A message pushed again whose ack was sent but not confirmed before the kill is legitimate
 * at-least-once delivery (the client deduplicates by id); it is counted as "redelivered". So is a
 * message its sender resent (its {@code Stored} answer was lost in the kill) after the recipient's
 * ack was confirmed: the server keeps no record of a message once it is acked, so it stores and
 * pushes the resend, and the recipient's client drops it by id; counted as "resent after the ack".
 */
final class MessageKillCampaign {

  /** Sends in flight per sender. */
  private static final int WINDOW = 8;

  /** Parallel logins while a cycle connects its users. */
  private static final int LOGIN_THREADS = 8;

  private static final Pattern LISTENING = Pattern.compile("^listening on 127\\.0\\.0\\.1:(\\d+)$");
  private static final Pattern STARTUP =
      Pattern.compile("^startup jvm_ms=(\\d+) server_start_ms=(\\d+)$");
  private static final Pattern OPENED =
      Pattern.compile("opened store .* replayed=(\\d+) .* in (\\d+) ms$");
  private static final Pattern PHASE =
      Pattern.compile("(prepare|stateOpen|stateVerify|journal)=(PT[0-9.]+S)");
  private static final Pattern REBUILD =
      Pattern.compile("unusable \\((.*)\\); rebuilding it from the journal");

  /**
   * @param maxCycles most kill cycles
   * @param budget stop starting cycles after this long (quick mode)
   * @param users accounts, each with a sending and a receiving connection
   * @param corruptCycle the cycle (1-based) after whose kill the MapDB file is damaged; 0 for none
   * @param load how the senders send
   * @param serverHeap the child JVM's {@code -Xmx}
   */
  record Settings(
      int maxCycles,
      Duration budget,
      long seed,
      int users,
      int minKillMs,
      int maxKillMs,
      int corruptCycle,
      Load load,
      String serverHeap,
      Path work) {}

  /**
   * @param ratePerSecond messages per second offered by all senders together, spread evenly over
   *     them (each still keeps at most {@link #WINDOW} in flight); 0 for as fast as the window
   *     allows
   * @param payloadBytes ciphertext size; 0 for a random 16-2015 bytes
   * @param pairs each user sends only to a fixed partner (user 2k with 2k+1, as in W1) rather than
   *     to random other users
   */
  record Load(int ratePerSecond, int payloadBytes, boolean pairs) {}

  /**
   * How a start of the server went.
   *
   * @param launchToListeningMs child process launched to its {@code listening} line
   * @param killToListeningMs the previous kill to {@code listening} (includes the driver's own
   *     clean-up before it relaunches); -1 when unknown
   * @param jvmMs JVM start to {@code main} in the child
   * @param serverStartMs {@link SottoServer#start} in the child
   * @param storeOpenMs the store's open, as it logged it; -1 when not logged
   * @param phases the store's open phases (prepare, stateOpen, stateVerify, journal) in ms
   * @param replayed journal records applied during the open
   * @param rebuildReason why MapDB was rebuilt from the journal; null when it was not
   */
  record Startup(
      long launchToListeningMs,
      long killToListeningMs,
      long jvmMs,
      long serverStartMs,
      long storeOpenMs,
      Map<String, Long> phases,
      long replayed,
      String rebuildReason) {
    boolean rebuilt() {
      return rebuildReason != null;
    }

    /** The open phase that took longest, e.g. {@code stateVerify 812}. */
    String slowestPhase() {
      return phases.entrySet().stream()
          .max(Map.Entry.comparingByValue())
          .map(e -> e.getKey() + " " + e.getValue())
          .orElse("?");
    }
  }

  /** One cycle's figures. */
  record Cycle(
      int number,
      Startup startup,
      long killToFirstStoredMs,
      boolean early,
      long killAfterMs,
      long storedThisCycle,
      long storedPerSecond,
      boolean corrupted) {}

  /** The campaign's figures. */
  record Result(
      List<Cycle> cycles,
      long acked,
      long delivered,
      long lost,
      long duplicated,
      long redelivered,
      long resentAfterAck,
      long resent,
      Startup finalStartup,
      int rebuilds,
      List<String> problems) {}

  private final Settings settings;
  private final Random random;
  private final Path data;
  private final List<String> users = new ArrayList<>();
  private final Map<String, byte[]> keys = new ConcurrentHashMap<>();

  // Across cycles (the clients' durable state, kept in the driver).
  private final Map<ByteString, String> storedTo = new ConcurrentHashMap<>();
  private final Map<String, Map<ByteString, Outgoing>> outbox = new ConcurrentHashMap<>();
  private final Set<ByteString> received = ConcurrentHashMap.newKeySet();
  private final Set<ByteString> ackConfirmed = ConcurrentHashMap.newKeySet();
  private final Set<ByteString> resentIds = ConcurrentHashMap.newKeySet();
  private final Set<ByteString> resentAfterAck = ConcurrentHashMap.newKeySet();
  private final Set<ByteString> unknownPushes = ConcurrentHashMap.newKeySet();
  private final AtomicLong duplicated = new AtomicLong();
  private final AtomicLong redelivered = new AtomicLong();
  private final AtomicLong resent = new AtomicLong();
  private final List<String> problems = Collections.synchronizedList(new ArrayList<>());

  /** Why a sender stopped last (the kill, mostly), for the report of a failed final round. */
  private volatile String lastSenderFailure = "none";

  /** When the server was last killed (nanoTime), 0 before the first kill. */
  private volatile long lastKillNanos;

  private record Outgoing(ByteString id, String to, byte[] ciphertext) {}

  MessageKillCampaign(Settings settings) {
    this.settings = settings;
    this.random = new Random(settings.seed());
    this.data = settings.work().resolve("data");
    for (int i = 0; i < settings.users(); i++) {
      String u = "user" + i;
      users.add(u);
      keys.put(u, TestClient.randomKey());
      outbox.put(u, new ConcurrentHashMap<>());
    }
  }

  // ------------------------------------------------------------------ child process

  private record Child(Process process, int port, List<String> output, Startup startup) {}

  private Child start() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-Xmx" + settings.serverHeap(),
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Dfile.encoding=UTF-8",
            "-cp",
            System.getProperty("java.class.path"),
            CampaignServerMain.class.getName(),
            data.toString());
    pb.redirectErrorStream(true);
    long t0 = System.nanoTime();
    Process p = pb.start();
    List<String> output = Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  if (output.size() < 10_000) {
                    output.add(line);
                  }
                  Matcher m = LISTENING.matcher(line);
                  if (m.matches()) {
                    port.complete(Integer.parseInt(m.group(1)));
                  }
                }
              } catch (IOException e) {
                // process gone
              }
              port.completeExceptionally(new IOException("server exited: " + tail(output)));
            },
            "campaign-server-output");
    reader.setDaemon(true);
    reader.start();
    int actual;
    try {
      actual = port.get(180, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new IllegalStateException(
          "the server did not listen within 180 s; its last lines:\n" + tail(output), e);
    } catch (Exception e) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw e;
    }
    long listening = System.nanoTime();
    long sinceKill = lastKillNanos == 0 ? -1 : (listening - lastKillNanos) / 1_000_000;
    return new Child(p, actual, output, startup(output, (listening - t0) / 1_000_000, sinceKill));
  }

  /** Reads the child's start-up lines (they all come before {@code listening}). */
  private static Startup startup(List<String> output, long launchMs, long sinceKillMs) {
    long jvm = -1;
    long serverStart = -1;
    long open = -1;
    long replayed = -1;
    String reason = null;
    Map<String, Long> phases = new java.util.LinkedHashMap<>();
    synchronized (output) {
      for (String line : output) {
        Matcher m = STARTUP.matcher(line);
        if (m.matches()) {
          jvm = Long.parseLong(m.group(1));
          serverStart = Long.parseLong(m.group(2));
        }
        m = OPENED.matcher(line);
        if (m.find()) {
          replayed = Long.parseLong(m.group(1));
          open = Long.parseLong(m.group(2));
        }
        if (line.contains("opening store ")) {
          m = PHASE.matcher(line);
          while (m.find()) {
            phases.put(m.group(1), Duration.parse(m.group(2)).toMillis());
          }
        }
        m = REBUILD.matcher(line);
        if (m.find() && reason == null) {
          reason = m.group(1);
        }
      }
    }
    return new Startup(launchMs, sinceKillMs, jvm, serverStart, open, phases, replayed, reason);
  }

  private static String tail(List<String> output) {
    synchronized (output) {
      return String.join("\n", output.subList(Math.max(0, output.size() - 20), output.size()));
    }
  }

  private void kill9(Child c) throws InterruptedException {
    lastKillNanos = System.nanoTime();
    c.process().destroyForcibly();
    if (!c.process().waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("server did not die");
    }
  }

  /** Overwrites a quarter of the MapDB file, in its middle, with random bytes. */
  private void corruptState() throws IOException {
    Path state = data.resolve("store").resolve("state.db");
    if (!Files.exists(state)) {
      problems.add("no state.db to corrupt");
      return;
    }
    long size = Files.size(state);
    try (RandomAccessFile f = new RandomAccessFile(state.toFile(), "rw")) {
      byte[] junk = new byte[(int) Math.max(1, size / 4)];
      random.nextBytes(junk);
      f.seek(size / 3);
      f.write(junk);
    }
  }

  // ------------------------------------------------------------------ clients

  /** One user's receiving connection: records pushes and acks them. */
  private final class Receiver implements Runnable {
    final String user;
    final TestClient client;
    final Map<Long, List<ByteString>> pendingAcks = new ConcurrentHashMap<>();
    volatile long lastActivityNanos = System.nanoTime();

    Receiver(String user, TestClient client) {
      this.user = user;
      this.client = client;
    }

    @Override
    public void run() {
      try {
        while (true) {
          Frame f = client.nextPush();
          if (f == null) {
            return;
          }
          lastActivityNanos = System.nanoTime();
          if (f.hasMessagePush()) {
            ByteString id = f.getMessagePush().getEnvelope().getMessageId();
            String to = storedTo.get(id);
            if (ackConfirmed.contains(id) && resentIds.contains(id)) {
              resentAfterAck.add(id); // the resend, stored anew; a client drops it by id
            } else if (ackConfirmed.contains(id)) {
              duplicated.incrementAndGet();
              problems.add("duplicate delivery of " + hex(id) + " to " + user);
            } else if (!received.add(id)) {
              redelivered.incrementAndGet();
            }
            if (to != null && !to.equals(user)) {
              problems.add("message for " + to + " pushed to " + user);
            }
            if (to == null && !isInAnyOutbox(id)) {
              unknownPushes.add(id);
            }
            long rid =
                client.sendRequest(
                    Frame.newBuilder().setAckMessages(AckMessages.newBuilder().addMessageIds(id)));
            pendingAcks.put(rid, List.of(id));
          } else if (f.hasOk()) {
            List<ByteString> ids = pendingAcks.remove(f.getRequestId());
            if (ids != null) {
              ackConfirmed.addAll(ids);
            }
          }
        }
      } catch (Exception e) {
        // the server was killed, or the campaign closed the socket
      }
    }
  }

  private boolean isInAnyOutbox(ByteString id) {
    for (Map<ByteString, Outgoing> box : outbox.values()) {
      if (box.containsKey(id)) {
        return true;
      }
    }
    return false;
  }

  /** Counts a cycle's {@code Stored} answers and remembers when the first came. */
  private static final class StoredCounter {
    final AtomicLong count = new AtomicLong();
    final AtomicLong firstNanos = new AtomicLong();

    void stored() {
      count.incrementAndGet();
      firstNanos.compareAndSet(0, System.nanoTime());
    }
  }

  /**
   * One user's sending connection: resends its outbox, then sends new messages until stopped, paced
   * when the load has a rate.
   */
  private final class Sender implements Runnable {
    final int index;
    final TestClient client;
    final AtomicBoolean stop;
    final long seed;
    final StoredCounter stored;

    Sender(int index, TestClient client, AtomicBoolean stop, long seed, StoredCounter stored) {
      this.index = index;
      this.client = client;
      this.stop = stop;
      this.seed = seed;
      this.stored = stored;
    }

    private String recipient(Random r) {
      if (settings.load().pairs()) {
        int partner = index ^ 1;
        return users.get(partner < users.size() ? partner : 0);
      }
      int other = r.nextInt(users.size() - 1);
      return users.get(other >= index ? other + 1 : other);
    }

    @Override
    public void run() {
      Random r = new Random(seed);
      String user = users.get(index);
      Map<ByteString, Outgoing> box = outbox.get(user);
      Map<Long, Outgoing> waiting = new java.util.HashMap<>();
      java.util.ArrayDeque<Outgoing> resends = new java.util.ArrayDeque<>(box.values());
      resent.addAndGet(resends.size());
      int rate = settings.load().ratePerSecond();
      long interval = rate == 0 ? 0 : 1_000_000_000L * users.size() / rate;
      long nextDue = System.nanoTime() + (interval == 0 ? 0 : (long) (r.nextDouble() * interval));
      try {
        while (true) {
          while (waiting.size() < WINDOW
              && (!resends.isEmpty() || (!stop.get() && System.nanoTime() >= nextDue))) {
            Outgoing o = resends.poll();
            if (o != null) {
              resentIds.add(o.id());
            }
            if (o == null) {
              int size = settings.load().payloadBytes();
              byte[] ct = new byte[size > 0 ? size : 16 + r.nextInt(2000)];
              r.nextBytes(ct);
              o = new Outgoing(ByteString.copyFrom(Msg.newId()), recipient(r), ct);
              box.put(o.id(), o);
              nextDue += interval;
            }
            waiting.put(
                client.sendRequest(Msg.envelopeFrame(o.to(), o.id().toByteArray(), o.ciphertext())),
                o);
          }
          if (waiting.isEmpty()) {
            if (stop.get() && resends.isEmpty()) {
              return;
            }
            // paced and nothing in flight: wait for the next send's due time
            long wait = nextDue - System.nanoTime();
            if (wait > 0) {
              TimeUnit.NANOSECONDS.sleep(wait);
            }
            continue;
          }
          Frame answer = client.nextPush();
          if (answer == null) {
            return;
          }
          Outgoing o = waiting.remove(answer.getRequestId());
          if (o == null) {
            continue;
          }
          if (answer.hasStored() && answer.getStored().getMessageId().equals(o.id())) {
            storedTo.put(o.id(), o.to());
            box.remove(o.id());
            stored.stored();
          } else {
            throw new IOException("send refused: " + answer);
          }
        }
      } catch (Exception e) {
        // the server was killed, or refused a send
        lastSenderFailure = e.toString();
      }
    }
  }

  /** Logs a user in twice (a sender and a receiver connection); both logins must succeed. */
  private TestClient[] loginPair(int port, int index, boolean register) throws Exception {
    String u = users.get(index);
    TestClient send = TestClient.connect(port);
    TestClient recv = null;
    try {
      send.hello();
      Frame f = register ? send.register(u, keys.get(u)) : send.login(u, keys.get(u));
      if (!f.hasLoginOk()) {
        throw new IllegalStateException("login of " + u + " failed: " + f);
      }
      recv = TestClient.connect(port);
      recv.hello();
      Frame g = recv.login(u, keys.get(u));
      if (!g.hasLoginOk()) {
        throw new IllegalStateException("login of " + u + " failed: " + g);
      }
      return new TestClient[] {send, recv};
    } catch (Exception e) {
      send.close();
      if (recv != null) {
        recv.close();
      }
      throw e;
    }
  }

  /**
   * Logs every user in twice, {@link #LOGIN_THREADS} at a time, and hands each user's pair to
   * {@code loggedIn} as soon as it is in; every login must succeed (the first failure is thrown
   * once all have ended).
   */
  private void loginAll(int port, boolean register, PairHandler loggedIn) throws Exception {
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(Math.min(LOGIN_THREADS, users.size()));
    try {
      List<java.util.concurrent.Future<?>> logins = new ArrayList<>();
      for (int i = 0; i < users.size(); i++) {
        int index = i;
        logins.add(
            pool.submit(
                () -> {
                  loggedIn.accept(index, loginPair(port, index, register));
                  return null;
                }));
      }
      Exception first = null;
      for (java.util.concurrent.Future<?> f : logins) {
        try {
          f.get();
        } catch (java.util.concurrent.ExecutionException e) {
          if (first == null) {
            first = e.getCause() instanceof Exception x ? x : e;
          }
        }
      }
      if (first != null) {
        throw first;
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private interface PairHandler {
    void accept(int index, TestClient[] pair) throws Exception;
  }

  /** The connections of one server run and the threads that drive them. */
  private final class Connected {
    final List<TestClient> clients = Collections.synchronizedList(new ArrayList<>());
    final List<Receiver> receivers = Collections.synchronizedList(new ArrayList<>());
    final List<Thread> senders = Collections.synchronizedList(new ArrayList<>());
    final List<Thread> threads = Collections.synchronizedList(new ArrayList<>());
    final AtomicBoolean stop;
    final StoredCounter stored = new StoredCounter();

    Connected(boolean stopped) {
      this.stop = new AtomicBoolean(stopped);
    }

    /** Starts user {@code i}'s receiver and sender on its freshly logged-in pair. */
    void start(int i, TestClient[] pair, long seed) {
      clients.add(pair[0]);
      clients.add(pair[1]);
      Receiver r = new Receiver(users.get(i), pair[1]);
      receivers.add(r);
      Thread rt = new Thread(r, "recv-" + i);
      Thread st = new Thread(new Sender(i, pair[0], stop, seed, stored), "send-" + i);
      threads.add(rt);
      threads.add(st);
      senders.add(st);
      rt.start();
      st.start();
    }

    /** Stops sending, closes every connection and waits for the threads. */
    void close() throws InterruptedException {
      stop.set(true);
      synchronized (clients) {
        for (TestClient c : clients) {
          c.close();
        }
      }
      synchronized (threads) {
        for (Thread t : threads) {
          t.join(10_000);
        }
      }
    }
  }

  // ------------------------------------------------------------------ campaign

  /**
   * The cycle whose start followed the damage to MapDB, while no start since has rebuilt it (0:
   * none). The open finds most damage at once; damage in what its check does not read (such as
   * MapDB's free-space records) is found by the first checkpoint that touches it, which marks MapDB
   * for a rebuild at the next start. A kill before that checkpoint (one cycle in four counts its
   * kill from the launch) thus moves the rebuild to a later start, which is fine; never is not.
   */
  private int awaitingRebuild;

  Result run() throws Exception {
    long deadline = System.nanoTime() + settings.budget().toNanos();
    List<Cycle> cycles = new ArrayList<>();
    int rebuilds = 0;
    // Accounts first (a LoginOk after Register means durable), then the server dies the hard way.
    Child setup = start();
    try {
      loginAll(
          setup.port(),
          true,
          (i, pair) -> {
            pair[0].close();
            pair[1].close();
          });
    } finally {
      kill9(setup);
    }
    for (int n = 1; n <= settings.maxCycles(); n++) {
      if (n > 1 && System.nanoTime() > deadline && n > settings.corruptCycle() + 1) {
        break;
      }
      Child child = start();
      Startup startup = child.startup();
      if (startup.rebuilt()) {
        rebuilds++;
      }
      if (cycles.size() > 0 && cycles.get(cycles.size() - 1).corrupted()) {
        awaitingRebuild = n;
      }
      if (startup.rebuilt()) {
        awaitingRebuild = 0;
      }
      long previousKill = lastKillNanos;
      Connected connected = new Connected(false);
      StoredCounter stored = connected.stored;
      long killAfter =
          settings.minKillMs() + random.nextInt(settings.maxKillMs() - settings.minKillMs() + 1);
      AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
      // One cycle in four counts from the start (the kill may hit logins and backlogs), the
      // others from the end of the logins (the kill hits traffic).
      boolean early = random.nextInt(4) == 0;
      long[] senderSeeds = new long[users.size()];
      for (int i = 0; i < senderSeeds.length; i++) {
        senderSeeds[i] = random.nextLong();
      }
      try {
        // The kill can come at any point: while logging in, draining a backlog or sending.
        java.util.concurrent.CountDownLatch loggedIn = new java.util.concurrent.CountDownLatch(1);
        Thread killer =
            new Thread(
                () -> {
                  try {
                    if (!early) {
                      loggedIn.await(120, TimeUnit.SECONDS);
                    }
                    Thread.sleep(killAfter);
                    killedAt.set(System.nanoTime());
                    kill9(child);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "campaign-killer");
        killer.start();
        try {
          loginAll(child.port(), false, (i, pair) -> connected.start(i, pair, senderSeeds[i]));
          loggedIn.countDown();
        } catch (Exception e) {
          long failedAt = System.nanoTime();
          killer.join();
          if (failedAt < killedAt.get()) {
            problems.add("cycle " + n + ": login failed before the kill: " + e);
            throw new IllegalStateException("cycle " + n + ": login failed before the kill", e);
          }
          // killed during login: a moment like any other
        }
        killer.join();
      } finally {
        connected.close();
        if (child.process().isAlive()) {
          kill9(child);
        }
      }
      boolean corruptNow = n == settings.corruptCycle();
      if (corruptNow) {
        corruptState();
      }
      long first = stored.firstNanos.get();
      long sinceKill = first == 0 || previousKill == 0 ? -1 : (first - previousKill) / 1_000_000;
      long trafficNanos = first == 0 ? 0 : killedAt.get() - first;
      long perSecond =
          trafficNanos <= 0 ? 0 : stored.count.get() * 1_000_000_000L / Math.max(1, trafficNanos);
      cycles.add(
          new Cycle(
              n, startup, sinceKill, early, killAfter, stored.count.get(), perSecond, corruptNow));
      System.out.printf(
          "cycle %d: listening %d ms after launch, %d ms after the kill%s; first Stored %d ms after"
              + " the kill; killed %d ms after %s, %d stored%s%n",
          n,
          startup.launchToListeningMs(),
          startup.killToListeningMs(),
          startup.rebuilt() ? " (rebuilt)" : "",
          sinceKill,
          killAfter,
          early ? "start" : "logins",
          stored.count.get(),
          corruptNow ? ", MapDB damaged" : "");
    }
    return finish(cycles, rebuilds);
  }

  /** A last, clean round: resend outboxes, drain every mailbox, then compare. */
  private Result finish(List<Cycle> cycles, int rebuilds) throws Exception {
    Child child = start();
    if (child.startup().rebuilt()) {
      rebuilds++;
      awaitingRebuild = 0;
    }
    if (awaitingRebuild > 0) {
      problems.add(
          "the MapDB file damaged before cycle "
              + awaitingRebuild
              + " was never rebuilt, not even at the final start");
    }
    // stopped from the start: the senders only resend their outboxes.
    Connected connected = new Connected(true);
    try {
      loginAll(child.port(), false, (i, pair) -> connected.start(i, pair, 0));
      for (Thread t : List.copyOf(connected.senders)) {
        t.join(60_000);
      }
      for (String u : users) {
        if (!outbox.get(u).isEmpty()) {
          problems.add(
              "final round: "
                  + u
                  + "'s outbox could not be resent (last sender failure: "
                  + lastSenderFailure
                  + "); the server's last lines:\n"
                  + tail(child.output()));
        }
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (System.nanoTime() < deadline) {
        boolean allIn = storedTo.keySet().stream().allMatch(received::contains);
        boolean quiet;
        boolean acksDone;
        synchronized (connected.receivers) {
          quiet =
              connected.receivers.stream()
                  .allMatch(r -> System.nanoTime() - r.lastActivityNanos > 1_500_000_000L);
          acksDone = connected.receivers.stream().allMatch(r -> r.pendingAcks.isEmpty());
        }
        if (allIn && quiet && acksDone) {
          break;
        }
        Thread.sleep(100);
      }
      connected.close();
    } finally {
      kill9(child);
    }
    long lost = storedTo.keySet().stream().filter(id -> !received.contains(id)).count();
    for (ByteString id : unknownPushes) {
      if (!storedTo.containsKey(id)) {
        problems.add("pushed a message no sender sent: " + hex(id));
      }
    }
    return new Result(
        List.copyOf(cycles),
        storedTo.size(),
        received.size(),
        lost,
        duplicated.get(),
        redelivered.get(),
        resentAfterAck.size(),
        resent.get(),
        child.startup(),
        rebuilds,
        List.copyOf(problems));
  }

  private static String hex(ByteString id) {
    return java.util.HexFormat.of().formatHex(id.toByteArray());
  }

  /** min / median / p90 / max of the non-negative values, or "-" when there are none. */
  private static String spread(List<Long> values) {
    List<Long> v = values.stream().filter(x -> x >= 0).sorted().toList();
    if (v.isEmpty()) {
      return "-";
    }
    return v.get(0)
        + " / "
        + v.get(v.size() / 2)
        + " / "
        + v.get(Math.min(v.size() - 1, v.size() * 9 / 10))
        + " / "
        + v.get(v.size() - 1);
  }

  /** The figures as Markdown. */
  static String report(Settings s, Result r) {
    List<Startup> restarts = new ArrayList<>();
    for (Cycle c : r.cycles()) {
      restarts.add(c.startup());
    }
    restarts.add(r.finalStartup());
    Load load = s.load();
    StringBuilder b = new StringBuilder();
    b.append("| Figure | Value |\n|---|---|\n");
    row(b, "kill cycles", r.cycles().size());
    row(b, "users (connections)", s.users() + " (" + 2 * s.users() + ")");
    row(
        b,
        "offered load",
        (load.ratePerSecond() == 0
                ? "unpaced, " + WINDOW + " in flight per sender"
                : load.ratePerSecond()
                    + " msg/s in all, at most "
                    + WINDOW
                    + " in flight per sender")
            + ", "
            + (load.payloadBytes() == 0 ? "16-2015 B" : load.payloadBytes() + " B")
            + ", "
            + (load.pairs() ? "fixed pairs (W1)" : "random recipients"));
    row(b, "kill after (ms, uniform)", s.minKillMs() + "-" + s.maxKillMs());
    row(b, "messages acknowledged Stored", r.acked());
    row(b, "distinct messages delivered", r.delivered());
    row(b, "**lost** (Stored, never delivered)", r.lost());
    row(b, "**duplicated** (pushed after a confirmed ack)", r.duplicated());
    row(b, "redelivered (ack sent, not confirmed before the kill)", r.redelivered());
    row(b, "outbox resends after a restart (same id)", r.resent());
    row(
        b,
        "of them, resent after the recipient's ack (stored and pushed again, dropped by the client)",
        r.resentAfterAck());
    row(b, "MapDB rebuilds from the journal", r.rebuilds());
    row(
        b,
        "Stored per second while the server lived (cycles killed after the logins): min / median /"
            + " p90 / max",
        spread(
            r.cycles().stream()
                .filter(c -> !c.early())
                .map(c -> c.storedThisCycle() > 0 ? c.storedPerSecond() : -1)
                .toList()));
    row(
        b,
        "kill to listening (ms): min / median / p90 / max",
        spread(restarts.stream().map(Startup::killToListeningMs).toList()));
    row(
        b,
        "kill to first message Stored (ms): min / median / p90 / max",
        spread(r.cycles().stream().map(Cycle::killToFirstStoredMs).toList()));
    row(
        b,
        "launch to listening (ms): min / median / p90 / max",
        spread(restarts.stream().map(Startup::launchToListeningMs).toList()));
    row(
        b,
        "of which JVM start to main (ms)",
        spread(restarts.stream().map(Startup::jvmMs).toList()));
    row(
        b,
        "of which SottoServer.start (ms)",
        spread(restarts.stream().map(Startup::serverStartMs).toList()));
    row(
        b,
        "of which the store's open (ms)",
        spread(restarts.stream().map(Startup::storeOpenMs).toList()));
    for (String phase : List.of("prepare", "stateOpen", "stateVerify", "journal")) {
      row(
          b,
          "store open phase " + phase + " (ms)",
          spread(restarts.stream().map(x -> x.phases().getOrDefault(phase, -1L)).toList()));
    }
    row(
        b,
        "journal records replayed per open",
        spread(restarts.stream().map(Startup::replayed).toList()));
    row(b, "problems", r.problems().size());
    b.append(
        "\n| Cycle | Kill to listening ms | Kill to first Stored ms | Launch to listening ms |"
            + " JVM to main ms | Server start ms | Store open ms | Slowest open phase ms |"
            + " Replayed | Killed ms after | Stored in cycle | Stored/s | Damaged after |"
            + " Rebuilt |\n");
    b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Cycle c : r.cycles()) {
      Startup st = c.startup();
      b.append("| ")
          .append(c.number())
          .append(" | ")
          .append(st.killToListeningMs())
          .append(" | ")
          .append(c.killToFirstStoredMs() < 0 ? "-" : c.killToFirstStoredMs())
          .append(" | ")
          .append(st.launchToListeningMs())
          .append(" | ")
          .append(st.jvmMs())
          .append(" | ")
          .append(st.serverStartMs())
          .append(" | ")
          .append(st.storeOpenMs())
          .append(" | ")
          .append(st.slowestPhase())
          .append(" | ")
          .append(st.replayed())
          .append(" | ")
          .append(c.killAfterMs())
          .append(c.early() ? " (start)" : " (logins)")
          .append(" | ")
          .append(c.storedThisCycle())
          .append(" | ")
          .append(c.storedThisCycle() > 0 ? c.storedPerSecond() : "-")
          .append(" | ")
          .append(c.corrupted() ? "yes" : "")
          .append(" | ")
          .append(st.rebuilt() ? "yes: " + abbreviate(st.rebuildReason()) : "")
          .append(" |\n");
    }
    for (String p : r.problems().subList(0, Math.min(20, r.problems().size()))) {
      b.append("\n- problem: ").append(p);
    }
    return b.toString();
  }

  private static String abbreviate(String text) {
    String t = text.replace('|', '/');
    return t.length() <= 100 ? t : t.substring(0, 100) + "...";
  }

  private static void row(StringBuilder b, String figure, Object value) {
    b.append("| ").append(figure).append(" | ").append(value).append(" |\n");
  }
}
