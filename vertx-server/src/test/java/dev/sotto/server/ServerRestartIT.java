package dev.sotto.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.Frame;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the server as its own JVM ({@code dev.sotto.server.ServerMain}, as the launcher does),
 * registers two users, kills it with {@code kill -9} and restarts it on the same data directory:
 * both accounts still log in, and the certificate fingerprint and server id are unchanged. Then
 * SIGTERM: the process exits 0 and the store is left with its clean marker.
 */
class ServerRestartIT {

  private static final Pattern LISTENING = Pattern.compile("^listening on 127\\.0\\.0\\.1:(\\d+)$");
  private static final Pattern FINGERPRINT =
      Pattern.compile("^fingerprint sha256-spki ([0-9a-f]{64})$");

  @TempDir Path temp;

  private final List<Process> processes = new ArrayList<>();

  /** A started server process and what it printed. */
  record Started(
      Process process, int port, String fingerprint, List<String> output, Thread reader) {}

  private Started start(Path data) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-Dfile.encoding=UTF-8",
            "-cp",
            System.getProperty("java.class.path"),
            "dev.sotto.server.ServerMain",
            "--data",
            data.toString(),
            "--listen",
            "127.0.0.1:0");
    pb.redirectErrorStream(true);
    Process p = pb.start();
    processes.add(p);
    List<String> output = Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<Integer> port = new CompletableFuture<>();
    CompletableFuture<String> fingerprint = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  output.add(line);
                  Matcher m = LISTENING.matcher(line);
                  if (m.matches()) {
                    port.complete(Integer.parseInt(m.group(1)));
                  }
                  Matcher f = FINGERPRINT.matcher(line);
                  if (f.matches()) {
                    fingerprint.complete(f.group(1));
                  }
                }
              } catch (IOException e) {
                // process gone
              }
              port.completeExceptionally(new IOException("server exited: " + output));
            },
            "server-output");
    reader.setDaemon(true);
    reader.start();
    int actual = port.get(120, TimeUnit.SECONDS);
    return new Started(p, actual, fingerprint.get(10, TimeUnit.SECONDS), output, reader);
  }

  @AfterEach
  void killLeftovers() {
    for (Process p : processes) {
      p.destroyForcibly();
    }
  }

  @Test
  void killMinus9_restart_bothAccountsLogIn_thenSigtermExitsZeroCleanly() throws Exception {
    Path data = temp.resolve("data");
    byte[] aliceKey = TestClient.randomKey();
    byte[] bobKey = TestClient.randomKey();
    Started first = start(data);
    byte[] serverId;
    try (TestClient a = TestClient.connect(first.port());
        TestClient b = TestClient.connect(first.port())) {
      serverId = a.hello().getWelcome().getServerId().toByteArray();
      b.hello();
      assertThat(a.register("alice", aliceKey).hasLoginOk()).isTrue();
      assertThat(b.register("bob", bobKey).hasLoginOk()).isTrue();
      assertThat(ServerCertificateFingerprint.of(a)).isEqualTo(first.fingerprint());
    }
    first.process().destroyForcibly();
    assertThat(first.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(first.process().exitValue()).isEqualTo(137);

    Started second = start(data);
    assertThat(second.fingerprint()).isEqualTo(first.fingerprint());
    try (TestClient a = TestClient.connect(second.port());
        TestClient b = TestClient.connect(second.port())) {
      assertThat(a.hello().getWelcome().getServerId().toByteArray()).isEqualTo(serverId);
      b.hello();
      Frame aliceLogin = a.login("alice", aliceKey);
      Frame bobLogin = b.login("bob", bobKey);
      assertThat(aliceLogin.hasLoginOk()).as("%s", aliceLogin).isTrue();
      assertThat(bobLogin.hasLoginOk()).as("%s", bobLogin).isTrue();
      assertThat(TestClient.code(b.register("alice", TestClient.randomKey())))
          .isEqualTo(ErrorCode.ALREADY_AUTHENTICATED);
      assertThat(a.ping()).isTrue();

      long t0 = System.nanoTime();
      // SIGTERM through kill(1): Process.destroy() would also close our end of its stdout.
      Process kill =
          new ProcessBuilder("kill", "-TERM", Long.toString(second.process().pid())).start();
      assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(second.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
      System.out.printf(
          "SIGTERM to exit: %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
      assertThat(second.process().exitValue()).as("%s", second.output()).isZero();
      Frame last = a.nextError();
      assertThat(last == null || TestClient.code(last) == ErrorCode.SHUTTING_DOWN)
          .as("last frame %s", last)
          .isTrue();
    }
    second.reader().join(10_000);
    assertThat(Files.exists(data.resolve("store").resolve("CLEAN"))).isTrue();
    assertThat(second.output()).anyMatch(l -> l.contains("event=stop outcome=ok"));
    assertThat(String.join("\n", second.output())).doesNotContainIgnoringCase("exception");
  }

  /** The fingerprint a client sees, formatted as the server prints it. */
  static final class ServerCertificateFingerprint {
    static String of(TestClient c) throws IOException {
      return dev.sotto.server.tls.ServerCertificate.formatFingerprint(c.peerFingerprint());
    }
  }
}
