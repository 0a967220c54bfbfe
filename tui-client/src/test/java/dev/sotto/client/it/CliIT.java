package dev.sotto.client.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sotto.client.cli.ClientMain;
import dev.sotto.client.cli.ExitCodes;
import dev.sotto.client.core.ClientPaths;
import dev.sotto.client.core.ServerAddress;
import dev.sotto.client.it.InProcessCli.Run;
import dev.sotto.server.ServerConfig;
import dev.sotto.server.SottoServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The messaging commands run through {@link ClientMain} in-process against the real server, each
 * user with their own home directory; exit codes and output checked. Accounts use the LOWERED
 * Argon2id cost of {@link Peer}.
 */
class CliIT {

  @TempDir Path tmp;
  SottoServer server;
  String addr;

  @BeforeEach
  void start() throws Exception {
    server =
        SottoServer.start(
            ServerConfig.defaults(tmp.resolve("server"))
                .withListen("127.0.0.1", 0)
                .withEventLoops(1));
    addr = "127.0.0.1:" + server.port();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  Run sotto(String home, String user, String stdin, String... args) {
    return InProcessCli.run(
        Map.of("SOTTO_PASSWORD", user + " password 123"),
        tmp.resolve(home),
        tmp,
        Peer.OPTIONS,
        stdin,
        args);
  }

  /** Runs as {@code user} on the machine {@code user}. */
  Run as(String user, String... args) {
    return sotto(user, user, "", args);
  }

  void register(String user) {
    Run r = as(user, "register", "--server", addr, "--user", user, "--trust-on-first-use");
    assertThat(r.code()).as(r.err()).isZero();
  }

  @Test
  void sendReceiveHistoryList_exitCodesAndOutput() throws Exception {
    register("alice");
    register("bob");

    Run sent = as("alice", "send", "bob", "hello", "from", "the", "cli");
    assertThat(sent.code()).as(sent.err()).isZero();
    assertThat(sent.lines()).hasSize(1).allMatch(l -> l.matches("[0-9a-f]{32}"));

    Run batch = sotto("alice", "alice", "line one\nline \"two\"\n", "send", "bob", "--stdin");
    assertThat(batch.code()).as(batch.err()).isZero();
    assertThat(batch.lines()).hasSize(2);

    Run got = as("bob", "receive", "--json", "--timeout", "1");
    assertThat(got.code()).as(got.err()).isZero();
    List<String> messages = got.lines().stream().filter(l -> l.contains("\"message\"")).toList();
    assertThat(messages).hasSize(3);
    assertThat(messages.get(0))
        .contains("\"from\":\"alice\"")
        .contains("\"text\":\"hello from the cli\"");
    assertThat(messages.get(1)).contains("\"text\":\"line one\"");
    assertThat(messages.get(2)).contains("\"text\":\"line \\\"two\\\"\"");
    assertThat(messages.get(0)).contains("\"id\":\"" + sent.lines().get(0) + "\"");

    Run again = as("bob", "receive", "--timeout", "1");
    assertThat(again.code()).isZero();
    assertThat(again.out()).as("each message is received once").isEmpty();

    Run bobHistory = as("bob", "history", "alice");
    assertThat(bobHistory.code()).isZero();
    assertThat(bobHistory.lines())
        .hasSize(3)
        .satisfies(l -> assertThat(l.get(0)).endsWith("alice: hello from the cli"));

    // Alice's own client learns of the delivery receipts when it receives.
    assertThat(as("alice", "receive", "--timeout", "1").code()).isZero();
    Run aliceHistory = as("alice", "history", "bob");
    assertThat(aliceHistory.lines()).hasSize(3).allMatch(l -> l.endsWith("(delivered)"));

    Run list = as("alice", "list");
    assertThat(list.code()).isZero();
    assertThat(list.lines()).contains("bob\toffline\t0 unread", "alice\tonline\t0 unread");

    Run unknown = as("alice", "send", "nobody", "hi");
    assertThat(unknown.code()).isEqualTo(ExitCodes.SERVER_REFUSED);
    assertThat(unknown.err().strip().split("\n")).hasSize(1);
    assertThat(unknown.err()).startsWith("sotto: ");

    Run empty = as("alice", "send", "bob");
    assertThat(empty.code()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void blockStatusVerifyTrust_viaCli() throws Exception {
    register("alice");
    register("bob");
    assertThat(as("bob", "block", "alice").code()).isZero();
    assertThat(as("alice", "send", "bob", "blocked?").code()).isZero();
    assertThat(as("bob", "receive", "--timeout", "1").out()).isEmpty();
    assertThat(as("bob", "unblock", "alice").code()).isZero();
    assertThat(as("bob", "status", "dnd").code()).isZero();
    assertThat(as("bob", "status", "sleeping").code()).isEqualTo(ExitCodes.USAGE);

    Run number = as("alice", "verify", "bob");
    assertThat(number.code()).as(number.err()).isZero();
    String digits = number.lines().get(1);
    assertThat(digits).matches("(\\d{5} ){11}\\d{5}");
    assertThat(as("bob", "verify", "alice").lines().get(1)).isEqualTo(digits);

    Run wrong =
        as("alice", "verify", "bob", "--compare", digits.replace('1', '2').replace('3', '1'));
    assertThat(wrong.code()).isEqualTo(ExitCodes.MISMATCH);
    Run right = as("alice", "verify", "bob", "--compare", digits);
    assertThat(right.code()).isZero();
    assertThat(as("alice", "verify", "bob").lines().get(0)).contains("verified");
    assertThat(as("alice", "trust", "bob").code()).isZero();
  }

  @Test
  void newMachine_needsConsentOrImport_exportImportMovesHistory() throws Exception {
    register("alice");
    register("bob");
    assertThat(as("alice", "send", "bob", "before the move").code()).isZero();
    assertThat(as("bob", "receive", "--timeout", "1").code()).isZero();

    // Bob on a second machine without his store: refused with a clear reason.
    Run fresh =
        sotto(
            "bob-laptop",
            "bob",
            "",
            "login",
            "--server",
            addr,
            "--user",
            "bob",
            "--trust-on-first-use");
    assertThat(fresh.code()).isEqualTo(ExitCodes.NO_LOCAL_STORE);
    assertThat(fresh.err()).contains("new identity").contains("import");

    Path file = tmp.resolve("bob.sotto");
    Run export = as("bob", "export", file.toString());
    assertThat(export.code()).as(export.err()).isZero();
    assertThat(Files.getPosixFilePermissions(file))
        .containsExactlyInAnyOrder(
            java.nio.file.attribute.PosixFilePermission.OWNER_READ,
            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    byte[] exported = Files.readAllBytes(file);
    assertThat(new String(exported, StandardCharsets.ISO_8859_1)).doesNotContain("before the move");

    Run imported =
        sotto("bob-laptop", "bob", "", "import", file.toString(), "--trust-on-first-use");
    assertThat(imported.code()).as(imported.err()).isZero();
    Run history = sotto("bob-laptop", "bob", "", "history", "alice");
    assertThat(history.code()).as(history.err()).isZero();
    assertThat(history.lines()).singleElement().asString().endsWith("alice: before the move");
    // Same identity: alice's safety number is unchanged and she can keep sending.
    assertThat(as("alice", "send", "bob", "after the move").code()).isZero();
    Run moved = sotto("bob-laptop", "bob", "", "receive", "--timeout", "1");
    assertThat(moved.lines()).singleElement().asString().endsWith("alice: after the move");

    Run importAgain =
        sotto("bob-laptop", "bob", "", "import", file.toString(), "--trust-on-first-use");
    assertThat(importAgain.code()).isEqualTo(ExitCodes.USAGE);

    // A deliberate new identity on a third machine: a warning, then it works.
    Run third =
        sotto(
            "bob-desk",
            "bob",
            "",
            "login",
            "--server",
            addr,
            "--user",
            "bob",
            "--trust-on-first-use",
            "--new-identity");
    assertThat(third.code()).as(third.err()).isZero();
    assertThat(third.err()).contains("warning").contains("NEW identity");
  }

  @Test
  void storeHeldByAnotherClient_exitCode9() throws Exception {
    register("alice");
    register("bob");
    ClientPaths alicePaths =
        ClientPaths.resolve(null, Map.of(), tmp.resolve("alice").toString(), tmp.toString());
    try (Peer alice = new Peer(alicePaths, ServerAddress.parse(addr), "alice").login()) {
      Run r = as("alice", "send", "bob", "hi");
      assertThat(r.code()).isEqualTo(ExitCodes.STORE_LOCKED);
      assertThat(r.err()).contains("in use by another Sotto");
      assertThat(alice.m().send("bob", "from the running client").stored().get()).isNotNull();
    }
    assertThat(as("alice", "resetkeys", "--yes").code()).isZero();
  }
}
