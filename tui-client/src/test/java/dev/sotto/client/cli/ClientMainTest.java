package dev.sotto.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sotto.client.core.ClientOptions;
import dev.sotto.client.core.ClientPaths;
import dev.sotto.client.core.ClientSettings;
import dev.sotto.client.core.Fingerprint;
import dev.sotto.client.core.KnownServers;
import dev.sotto.client.core.ServerAddress;
import dev.sotto.client.testing.FakeServer;
import dev.sotto.keystore.account.KdfParameters;
import dev.sotto.wire.ErrorMessages;
import dev.sotto.wire.proto.ErrorCode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code sotto} in-process against the in-test TLS server, with a temporary home and a LOWERED
 * Argon2id cost (8 MiB, one pass) so that each command derives keys in milliseconds.
 */
class ClientMainTest {

  @TempDir Path home;
  private FakeServer server;
  private final Map<String, String> env = new HashMap<>();
  private ScriptedTerminal terminal = new ScriptedTerminal(false);
  private StringWriter out;
  private StringWriter err;

  @BeforeEach
  void start() throws Exception {
    server = new FakeServer();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private String addr() {
    return "127.0.0.1:" + server.port();
  }

  private int sotto(String... args) {
    out = new StringWriter();
    err = new StringWriter();
    CliContext ctx =
        new CliContext(
            env,
            null,
            home.resolve("user-home").toString(),
            terminal,
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            ClientOptions.defaults().withLoweredKdfCostForTesting(new KdfParameters(8192, 1, 1)));
    String[] withHome = new String[args.length + 2];
    withHome[0] = "--home";
    withHome[1] = home.toString();
    System.arraycopy(args, 0, withHome, 2, args.length);
    return ClientMain.execute(withHome, ctx);
  }

  private Path passwordFile(String name, String password) throws Exception {
    Path f = home.resolve(name);
    Files.writeString(f, password + "\n");
    return f;
  }

  private List<String> errLines() {
    return err.toString().lines().toList();
  }

  private void registerAlice() throws Exception {
    int code =
        sotto(
            "register",
            "--server",
            addr(),
            "--user",
            "Alice",
            "--trust-on-first-use",
            "--password-file",
            passwordFile("pw", "alice password 1").toString());
    assertThat(code).as(err.toString()).isEqualTo(ExitCodes.OK);
  }

  @Test
  void noSubcommand_printsHelpWithExitCodes() {
    assertThat(sotto()).isEqualTo(0);
    assertThat(out.toString())
        .contains("register", "login", "passwd", "Exit codes:", "certificate changed");
    assertThat(out.toString())
        .contains("  5    server certificate changed")
        .contains("  70   internal error");
  }

  @Test
  void badServerAddress_usageErrorOnOneLine() {
    assertThat(sotto("login", "--server", "host:99999", "--user", "alice")).isEqualTo(1);
    assertThat(errLines()).hasSize(1);
    assertThat(err.toString()).startsWith("sotto: ").contains("--server").contains("65535");
  }

  @Test
  void unknownOption_usageErrorOnOneLine() {
    assertThat(sotto("login", "--frobnicate")).isEqualTo(1);
    assertThat(errLines()).hasSize(1);
    assertThat(err.toString()).contains("--frobnicate");
  }

  @Test
  void noServerAtAll_saysHowToGiveOne() {
    env.put("SOTTO_PASSWORD", "whatever password");
    assertThat(sotto("login", "--user", "alice")).isEqualTo(1);
    assertThat(err.toString()).contains("--server HOST:PORT");
  }

  @Test
  void unreachableServer_networkExitCode() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    env.put("SOTTO_PASSWORD", "whatever password");
    assertThat(sotto("login", "--server", "127.0.0.1:" + port, "--user", "alice"))
        .isEqualTo(ExitCodes.NETWORK);
    assertThat(errLines()).hasSize(1);
    assertThat(err.toString()).contains("Cannot reach 127.0.0.1:" + port);
  }

  @Test
  void newServer_noTerminalNoTrust_refusedWithFingerprint() throws Exception {
    env.put("SOTTO_PASSWORD", "whatever password");
    assertThat(sotto("login", "--server", addr(), "--user", "alice"))
        .isEqualTo(ExitCodes.UNTRUSTED_SERVER);
    assertThat(err.toString())
        .contains(Fingerprint.of(server.spkiSha256()).hex())
        .contains("--trust");
    assertThat(server.received()).isEmpty();
  }

  @Test
  void newServer_terminalPromptYes_pins() throws Exception {
    terminal = new ScriptedTerminal(true, "yes", "alice password 1", "alice password 1");
    assertThat(sotto("register", "--server", addr(), "--user", "alice")).isEqualTo(0);
    assertThat(String.join("\n", terminal.transcript))
        .contains(Fingerprint.of(server.spkiSha256()).toString())
        .contains("Trust this server");
    assertThat(terminal.transcript.indexOf("Trust this server and remember it? [yes/no]: "))
        .isLessThan(terminal.transcript.indexOf("New password: "));
    ClientPaths paths = ClientPaths.resolve(home, Map.of(), null, "/nonexistent");
    assertThat(new KnownServers(paths.knownServersFile()).lookup(ServerAddress.parse(addr())))
        .contains(Fingerprint.of(server.spkiSha256()));
  }

  @Test
  void register_terminalPasswordsDiffer_usageError() {
    terminal = new ScriptedTerminal(true, "first password", "other password");
    assertThat(sotto("register", "--server", addr(), "--user", "alice", "--trust-on-first-use"))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("do not match");
    assertThat(server.received()).isEmpty();
  }

  @Test
  void register_thenLoginWithoutFlags_usesSavedDefaults() throws Exception {
    registerAlice();
    assertThat(out.toString()).contains("Registered alice on " + addr());
    ClientPaths paths = ClientPaths.resolve(home, Map.of(), null, "/nonexistent");
    ClientSettings saved = ClientSettings.load(paths.settingsFile());
    assertThat(saved.server()).contains(ServerAddress.parse(addr()));
    assertThat(saved.user()).contains("alice");

    env.put("SOTTO_PASSWORD", "alice password 1");
    assertThat(sotto("login")).as(err.toString()).isEqualTo(0);
    assertThat(out.toString()).contains("Logged in as alice");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void login_wrongPassword_authExitCodeAndServerSentence() throws Exception {
    registerAlice();
    env.put("SOTTO_PASSWORD", "not the password");
    assertThat(sotto("login", "--user", "alice")).isEqualTo(ExitCodes.AUTH_FAILED);
    assertThat(errLines()).containsExactly("sotto: Wrong username or password.");
  }

  @Test
  void login_shortPassword_refusedBeforeConnecting() throws Exception {
    env.put("SOTTO_PASSWORD", "short");
    assertThat(sotto("login", "--server", addr(), "--user", "alice", "--trust-on-first-use"))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("at least 10 characters");
    assertThat(server.received()).isEmpty();
  }

  @Test
  void login_noPasswordSourceAndNoTerminal_saysHow() throws Exception {
    assertThat(sotto("login", "--server", addr(), "--user", "alice", "--trust-on-first-use"))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("--password-file").contains("SOTTO_PASSWORD");
  }

  @Test
  void changedCertificate_refusedWithBothFingerprints() throws Exception {
    ClientPaths paths = ClientPaths.resolve(home, Map.of(), null, "/nonexistent");
    Fingerprint old = Fingerprint.of(new byte[32]);
    new KnownServers(paths.knownServersFile()).pin(ServerAddress.parse(addr()), old);
    env.put("SOTTO_PASSWORD", "whatever password");
    assertThat(sotto("login", "--server", addr(), "--user", "alice", "--trust-on-first-use"))
        .isEqualTo(ExitCodes.CERTIFICATE_CHANGED);
    assertThat(errLines()).hasSize(1);
    assertThat(err.toString())
        .contains("CHANGED")
        .contains(old.hex())
        .contains(Fingerprint.of(server.spkiSha256()).hex());
  }

  @Test
  void passwd_viaFiles_thenOnlyNewPasswordWorks() throws Exception {
    registerAlice();
    int code =
        sotto(
            "passwd",
            "--password-file",
            passwordFile("old", "alice password 1").toString(),
            "--new-password-file",
            passwordFile("new", "alice password 2").toString());
    assertThat(code).as(err.toString()).isEqualTo(0);
    assertThat(out.toString()).contains("Changed the password of alice");
    env.put("SOTTO_PASSWORD", "alice password 1");
    assertThat(sotto("login")).isEqualTo(ExitCodes.AUTH_FAILED);
    env.put("SOTTO_PASSWORD", "alice password 2");
    assertThat(sotto("login")).isEqualTo(0);
  }

  @Test
  void rateLimited_exitCodeAndRetryTime() throws Exception {
    registerAlice();
    server.handler(
        (f, c) ->
            f.hasLogin()
                ? ErrorMessages.error(
                    f.getRequestId(), ErrorCode.RATE_LIMITED, "Too many login attempts.", 1500)
                : server.standard(f, c));
    env.put("SOTTO_PASSWORD", "alice password 1");
    assertThat(sotto("login")).isEqualTo(ExitCodes.RATE_LIMITED);
    assertThat(errLines()).containsExactly("sotto: Too many login attempts. Try again in 2 s.");
  }

  @Test
  void registerTakenName_serverRefusedExitCode() throws Exception {
    registerAlice();
    assertThat(
            sotto(
                "register",
                "--user",
                "alice",
                "--password-file",
                passwordFile("pw2", "another password").toString()))
        .isEqualTo(ExitCodes.SERVER_REFUSED);
    assertThat(err.toString()).contains("already taken");
  }

  @Test
  void passwordFile_missing_localIoExitCode() {
    assertThat(
            sotto(
                "login",
                "--server",
                addr(),
                "--user",
                "alice",
                "--trust-on-first-use",
                "--password-file",
                home.resolve("nope").toString()))
        .isEqualTo(ExitCodes.LOCAL_IO);
    assertThat(err.toString()).contains("nope");
  }
}
