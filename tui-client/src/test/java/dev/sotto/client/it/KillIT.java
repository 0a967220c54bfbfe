package dev.sotto.client.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sotto.client.core.ServerAddress;
import dev.sotto.client.core.messaging.Message;
import dev.sotto.server.ServerConfig;
import dev.sotto.server.SottoServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client killed with SIGKILL (a child JVM, {@link KillTarget}) in the middle of sending or
 * receiving loses nothing it committed and shows nothing twice: after a restart every committed
 * message arrives exactly once and in order, and the receiver's store holds each message once.
 */
class KillIT {

  @TempDir Path tmp;

  @Test
  void senderAndReceiverKilledMidStream_everyCommittedMessageArrivesOnceInOrder() throws Exception {
    int n = 200;
    try (SottoServer server =
        SottoServer.start(
            ServerConfig.defaults(tmp.resolve("server"))
                .withListen("127.0.0.1", 0)
                .withEventLoops(1))) {
      ServerAddress address = new ServerAddress("127.0.0.1", server.port());
      Path aliceMachine = tmp.resolve("machine-alice");
      Path bobMachine = tmp.resolve("machine-bob");
      new Peer(aliceMachine, address, "alice").register().close();
      new Peer(bobMachine, address, "bob").register().close();

      // Bob receives in a child that is killed after some messages.
      Process bob = child(bobMachine, address, "bob", "alice", 0, "receive");
      Process alice = child(aliceMachine, address, "alice", "bob", n, "send");
      waitForLine(alice, "committed " + (n / 2), 120);
      alice.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      waitForLine(bob, "received k", 60);
      bob.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

      // Restart both in-process: alice's outbox goes out again, bob gets the rest.
      try (Peer a = new Peer(aliceMachine, address, "alice").login();
          Peer b = new Peer(bobMachine, address, "bob").login()) {
        List<Message> sent =
            a.m().history("bob", Long.MAX_VALUE, 10_000).stream()
                .filter(m -> !m.incoming())
                .toList();
        assertThat(sent.size()).isGreaterThan(n / 2);
        List<String> expected = sent.stream().map(Message::text).toList();
        for (int i = 0; i < expected.size(); i++) {
          assertThat(expected.get(i)).isEqualTo("k" + i);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<String> atBob;
        do {
          Thread.sleep(200);
          atBob =
              b.m().history("alice", Long.MAX_VALUE, 10_000).stream().map(Message::text).toList();
        } while (atBob.size() < expected.size() && System.nanoTime() < deadline);
        Thread.sleep(500);
        atBob = b.m().history("alice", Long.MAX_VALUE, 10_000).stream().map(Message::text).toList();
        assertThat(atBob).isEqualTo(expected);
      }
    }
  }

  private Process child(
      Path machine, ServerAddress address, String user, String peer, int count, String mode)
      throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("-Dfile.encoding=UTF-8");
    cmd.add("-Dsotto.log.file=" + tmp.resolve(user + "-child.log"));
    cmd.add(KillTarget.class.getName());
    cmd.add(machine.toString());
    cmd.add(address.host());
    cmd.add(Integer.toString(address.port()));
    cmd.add(user);
    cmd.add(peer);
    cmd.add(Integer.toString(count));
    cmd.add(mode);
    return new ProcessBuilder(cmd).redirectError(tmp.resolve(user + "-child.err").toFile()).start();
  }

  /** Reads the child's stdout until a line starts with {@code prefix}. */
  private static void waitForLine(Process p, String prefix, int seconds) throws Exception {
    BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < end) {
      if (!p.isAlive() && !r.ready()) {
        throw new AssertionError("the child ended before printing " + prefix);
      }
      String line = r.readLine();
      if (line == null) {
        throw new AssertionError("the child closed its output before printing " + prefix);
      }
      if (line.startsWith(prefix)) {
        return;
      }
    }
    throw new AssertionError("the child did not print " + prefix + " in " + seconds + " s");
  }
}
