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
 * at-least-once delivery (the client deduplicates by id); it is counted as "redelivered".
 */
final class MessageKillCampaign {

  /** Sends in flight per sender. */
  private static final int WINDOW = 8;

  private static final Pattern LISTENING = Pattern.compile("^listening on 127\\.0\\.0\\.1:(\\d+)$");

  /**
   * @param maxCycles most kill cycles
   * @param budget stop starting cycles after this long (quick mode)
   * @param corruptCycle the cycle (1-based) after whose kill the MapDB file is damaged; 0 for none
   */
  record Settings(
      int maxCycles,
      Duration budget,
      long seed,
      int users,
      int minKillMs,
      int maxKillMs,
      int corruptCycle,
      Path work) {}

  /** One cycle's figures. */
  record Cycle(
      int number,
      long restartMs,
      boolean early,
      long killAfterMs,
      long storedThisCycle,
      boolean corrupted,
      boolean rebuilt) {}

  /** The campaign's figures. */
  record Result(
      List<Cycle> cycles,
      long acked,
      long delivered,
      long lost,
      long duplicated,
      long redelivered,
      long resent,
      long finalRestartMs,
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
  private final Set<ByteString> unknownPushes = ConcurrentHashMap.newKeySet();
  private final AtomicLong duplicated = new AtomicLong();
  private final AtomicLong redelivered = new AtomicLong();
  private final AtomicLong resent = new AtomicLong();
  private final List<String> problems = Collections.synchronizedList(new ArrayList<>());

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

  private record Child(Process process, int port, List<String> output, long startMs) {}

  private Child start() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-Xmx256m",
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
      actual = port.get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw e;
    }
    return new Child(p, actual, output, (System.nanoTime() - t0) / 1_000_000);
  }

  private static String tail(List<String> output) {
    synchronized (output) {
      return String.join("\n", output.subList(Math.max(0, output.size() - 20), output.size()));
    }
  }

  private static void kill9(Child c) throws InterruptedException {
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
            if (ackConfirmed.contains(id)) {
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

  /** One user's sending connection: resends its outbox, then sends new messages until stopped. */
  private final class Sender implements Runnable {
    final String user;
    final TestClient client;
    final AtomicBoolean stop;
    final long seed;
    final AtomicLong stored;

    Sender(String user, TestClient client, AtomicBoolean stop, long seed, AtomicLong stored) {
      this.user = user;
      this.client = client;
      this.stop = stop;
      this.seed = seed;
      this.stored = stored;
    }

    @Override
    public void run() {
      Random r = new Random(seed);
      Map<ByteString, Outgoing> box = outbox.get(user);
      Map<Long, Outgoing> waiting = new java.util.HashMap<>();
      java.util.ArrayDeque<Outgoing> resends = new java.util.ArrayDeque<>(box.values());
      resent.addAndGet(resends.size());
      try {
        while (true) {
          while (waiting.size() < WINDOW && (!resends.isEmpty() || !stop.get())) {
            Outgoing o = resends.poll();
            if (o == null) {
              String to = users.get(r.nextInt(users.size()));
              if (to.equals(user)) {
                continue;
              }
              byte[] ct = new byte[16 + r.nextInt(2000)];
              r.nextBytes(ct);
              o = new Outgoing(ByteString.copyFrom(Msg.newId()), to, ct);
              box.put(o.id(), o);
            }
            waiting.put(
                client.sendRequest(Msg.envelopeFrame(o.to(), o.id().toByteArray(), o.ciphertext())),
                o);
          }
          if (waiting.isEmpty()) {
            return;
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
            stored.incrementAndGet();
          } else {
            throw new IOException("send refused: " + answer);
          }
        }
      } catch (Exception e) {
        // the server was killed
      }
    }
  }

  /** Logs every user in twice (a sender and a receiver connection); every login must succeed. */
  private List<TestClient[]> loginAll(int port, boolean register) throws Exception {
    List<TestClient[]> out = new ArrayList<>();
    for (String u : users) {
      TestClient send = TestClient.connect(port);
      send.hello();
      Frame f = register ? send.register(u, keys.get(u)) : send.login(u, keys.get(u));
      if (!f.hasLoginOk()) {
        problems.add("login of " + u + " failed: " + f);
        throw new IllegalStateException("login of " + u + " failed: " + f);
      }
      TestClient recv = TestClient.connect(port);
      recv.hello();
      Frame g = recv.login(u, keys.get(u));
      if (!g.hasLoginOk()) {
        problems.add("login of " + u + " failed: " + g);
        throw new IllegalStateException("login of " + u + " failed: " + g);
      }
      out.add(new TestClient[] {send, recv});
    }
    return out;
  }

  // ------------------------------------------------------------------ campaign

  Result run() throws Exception {
    long deadline = System.nanoTime() + settings.budget().toNanos();
    List<Cycle> cycles = new ArrayList<>();
    int rebuilds = 0;
    // Accounts first (a LoginOk after Register means durable), then the server dies the hard way.
    Child setup = start();
    try {
      for (TestClient[] pair : loginAll(setup.port(), true)) {
        pair[0].close();
        pair[1].close();
      }
    } finally {
      kill9(setup);
    }
    for (int n = 1; n <= settings.maxCycles(); n++) {
      if (n > 1 && System.nanoTime() > deadline && n > settings.corruptCycle() + 1) {
        break;
      }
      Child child = start();
      boolean rebuilt = child.output().stream().anyMatch(l -> l.contains("rebuilding it from"));
      if (rebuilt) {
        rebuilds++;
      }
      boolean corrupted = cycles.size() > 0 && cycles.get(cycles.size() - 1).corrupted();
      if (corrupted && !rebuilt) {
        problems.add("cycle " + n + ": the damaged MapDB file was not rebuilt");
      }
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong stored = new AtomicLong();
      List<Thread> threads = new ArrayList<>();
      List<TestClient> clients = new ArrayList<>();
      long killAfter =
          settings.minKillMs() + random.nextInt(settings.maxKillMs() - settings.minKillMs() + 1);
      AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
      // One cycle in four counts from the start (the kill may hit logins and backlogs), the
      // others from the end of the logins (the kill hits traffic).
      boolean early = random.nextInt(4) == 0;
      try {
        // The kill can come at any point: while logging in, draining a backlog or sending.
        java.util.concurrent.CountDownLatch loggedIn = new java.util.concurrent.CountDownLatch(1);
        Thread killer =
            new Thread(
                () -> {
                  try {
                    if (!early) {
                      loggedIn.await(60, TimeUnit.SECONDS);
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
          List<TestClient[]> pairs = loginAll(child.port(), false);
          for (int i = 0; i < users.size(); i++) {
            TestClient[] pair = pairs.get(i);
            clients.add(pair[0]);
            clients.add(pair[1]);
            Thread rt = new Thread(new Receiver(users.get(i), pair[1]), "recv-" + i);
            Thread st =
                new Thread(
                    new Sender(users.get(i), pair[0], stop, random.nextLong(), stored),
                    "send-" + i);
            threads.add(rt);
            threads.add(st);
            rt.start();
            st.start();
          }
          loggedIn.countDown();
        } catch (Exception e) {
          long failedAt = System.nanoTime();
          killer.join();
          if (failedAt < killedAt.get()) {
            throw new IllegalStateException("cycle " + n + ": login failed before the kill", e);
          }
          // killed during login: a moment like any other
        }
        killer.join();
      } finally {
        stop.set(true);
        for (TestClient c : clients) {
          c.close();
        }
        for (Thread t : threads) {
          t.join(10_000);
        }
        if (child.process().isAlive()) {
          kill9(child);
        }
      }
      boolean corruptNow = n == settings.corruptCycle();
      if (corruptNow) {
        corruptState();
      }
      cycles.add(
          new Cycle(n, child.startMs(), early, killAfter, stored.get(), corruptNow, rebuilt));
    }
    return finish(cycles, rebuilds);
  }

  /** A last, clean round: resend outboxes, drain every mailbox, then compare. */
  private Result finish(List<Cycle> cycles, int rebuilds) throws Exception {
    Child child = start();
    if (child.output().stream().anyMatch(l -> l.contains("rebuilding it from"))) {
      rebuilds++;
    }
    List<TestClient> clients = new ArrayList<>();
    List<Receiver> receivers = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    try {
      List<TestClient[]> pairs = loginAll(child.port(), false);
      AtomicBoolean stop = new AtomicBoolean(true);
      AtomicLong stored = new AtomicLong();
      for (int i = 0; i < users.size(); i++) {
        TestClient[] pair = pairs.get(i);
        clients.add(pair[0]);
        clients.add(pair[1]);
        Receiver r = new Receiver(users.get(i), pair[1]);
        receivers.add(r);
        Thread rt = new Thread(r, "final-recv-" + i);
        rt.start();
        threads.add(rt);
        // stop is already set: the sender only resends its outbox.
        new Sender(users.get(i), pair[0], stop, 0, stored).run();
        if (!outbox.get(users.get(i)).isEmpty()) {
          problems.add("final round: " + users.get(i) + "'s outbox could not be resent");
        }
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        boolean allIn = storedTo.keySet().stream().allMatch(received::contains);
        boolean quiet =
            receivers.stream()
                .allMatch(r -> System.nanoTime() - r.lastActivityNanos > 1_500_000_000L);
        boolean acksDone = receivers.stream().allMatch(r -> r.pendingAcks.isEmpty());
        if (allIn && quiet && acksDone) {
          break;
        }
        Thread.sleep(100);
      }
      for (TestClient c : clients) {
        c.close();
      }
      for (Thread t : threads) {
        t.join(10_000);
      }
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
        resent.get(),
        child.startMs(),
        rebuilds,
        List.copyOf(problems));
  }

  private static String hex(ByteString id) {
    return java.util.HexFormat.of().formatHex(id.toByteArray());
  }

  /** The figures as Markdown. */
  static String report(Settings s, Result r) {
    StringBuilder b = new StringBuilder();
    List<Long> restarts = new ArrayList<>();
    for (Cycle c : r.cycles()) {
      if (c.number() > 1) {
        restarts.add(c.restartMs());
      }
    }
    restarts.add(r.finalRestartMs());
    Collections.sort(restarts);
    b.append("| Figure | Value |\n|---|---|\n");
    b.append("| kill cycles | ").append(r.cycles().size()).append(" |\n");
    b.append("| users | ").append(s.users()).append(" |\n");
    b.append("| kill after (ms, uniform) | ")
        .append(s.minKillMs())
        .append("-")
        .append(s.maxKillMs())
        .append(" |\n");
    b.append("| messages acknowledged Stored | ").append(r.acked()).append(" |\n");
    b.append("| distinct messages delivered | ").append(r.delivered()).append(" |\n");
    b.append("| **lost** (Stored, never delivered) | ").append(r.lost()).append(" |\n");
    b.append("| **duplicated** (pushed after a confirmed ack) | ")
        .append(r.duplicated())
        .append(" |\n");
    b.append("| redelivered (ack sent, not confirmed before the kill) | ")
        .append(r.redelivered())
        .append(" |\n");
    b.append("| outbox resends after a restart (same id) | ").append(r.resent()).append(" |\n");
    b.append("| MapDB rebuilds from the journal | ").append(r.rebuilds()).append(" |\n");
    b.append("| restart to listening (ms): min / median / p90 / max | ")
        .append(restarts.get(0))
        .append(" / ")
        .append(restarts.get(restarts.size() / 2))
        .append(" / ")
        .append(restarts.get(Math.min(restarts.size() - 1, restarts.size() * 9 / 10)))
        .append(" / ")
        .append(restarts.get(restarts.size() - 1))
        .append(" |\n");
    b.append("| problems | ").append(r.problems().size()).append(" |\n");
    b.append(
        "\n| Cycle | Restart ms | Killed ms after | Stored in cycle | Damaged after | Rebuilt |\n");
    b.append("|---|---|---|---|---|---|\n");
    for (Cycle c : r.cycles()) {
      b.append("| ")
          .append(c.number())
          .append(" | ")
          .append(c.restartMs())
          .append(" | ")
          .append(c.killAfterMs())
          .append(c.early() ? " (start)" : " (logins)")
          .append(" | ")
          .append(c.storedThisCycle())
          .append(" | ")
          .append(c.corrupted() ? "yes" : "")
          .append(" | ")
          .append(c.rebuilt() ? "yes" : "")
          .append(" |\n");
    }
    for (String p : r.problems().subList(0, Math.min(20, r.problems().size()))) {
      b.append("\n- problem: ").append(p);
    }
    return b.toString();
  }
}
