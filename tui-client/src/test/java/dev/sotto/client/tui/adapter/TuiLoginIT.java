package dev.sotto.client.tui.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import com.googlecode.lanterna.input.KeyType;
import dev.sotto.client.core.ClientOptions;
import dev.sotto.client.core.ClientPaths;
import dev.sotto.client.core.ClientSettings;
import dev.sotto.client.core.Fingerprint;
import dev.sotto.client.core.KnownServers;
import dev.sotto.client.core.ServerAddress;
import dev.sotto.client.tui.TuiConfig;
import dev.sotto.keystore.account.KdfParameters;
import dev.sotto.server.ServerConfig;
import dev.sotto.server.SottoServer;
import dev.sotto.server.account.RegistrationPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start screen on the real core against the real server (in-process, port 0): trust on first
 * use, the changed-certificate warning, registration with and without invite, wrong passwords.
 *
 * <p>Accounts use a LOWERED Argon2id cost (8 MiB, 1 pass) through {@link
 * ClientOptions#withLoweredKdfCostForTesting}, so each login derives keys in milliseconds.
 */
class TuiLoginIT {

  static final ClientOptions OPTIONS =
      ClientOptions.defaults()
          .withLoweredKdfCostForTesting(new KdfParameters(8 * 1024, 1, 1))
          .withClientName("sotto-tui-it");

  @TempDir Path tmp;
  private ExecutorService worker;
  private ClientPaths paths;

  @BeforeEach
  void setUp() {
    worker = Executors.newSingleThreadExecutor();
    paths = ClientPaths.resolve(tmp.resolve("home"), Map.of(), null, "/nonexistent");
  }

  @AfterEach
  void tearDown() {
    worker.shutdownNow();
  }

  private SottoServer start(String dir, RegistrationPolicy policy) throws Exception {
    return SottoServer.start(
        ServerConfig.defaults(tmp.resolve(dir))
            .withListen("127.0.0.1", 0)
            .withEventLoops(1)
            .withRegistration(policy));
  }

  private VirtualTui tui(CoreChatModel model) {
    return new VirtualTui(
        80,
        24,
        model,
        new CoreLoginController(paths, OPTIONS, model, worker),
        TuiConfig.defaults().withIdleAway(Duration.ZERO));
  }

  private static void fillForm(VirtualTui t, String server, String user, String pw, boolean reg) {
    t.type(server).key(KeyType.Tab).type(user).key(KeyType.Tab).type(pw);
    if (reg) {
      t.key(KeyType.Tab).key(KeyType.ArrowRight);
    }
    t.key(KeyType.Enter);
  }

  @Test
  void firstUse_fingerprintShown_acceptRegisters_mainScreenAndDefaultsSaved() throws Exception {
    try (SottoServer server = start("srv", RegistrationPolicy.OPEN)) {
      CoreChatModel model = new CoreChatModel(paths, OPTIONS, worker);
      String addr = "127.0.0.1:" + server.port();
      Fingerprint fp = Fingerprint.of(server.certificate().fingerprint());
      try (VirtualTui t = tui(model)) {
        t.await("Server");
        fillForm(t, addr, "Alice", "alice's password 1", true);
        t.await("First connection to " + addr).await(fp.toString());
        assertThat(new KnownServers(paths.knownServersFile()).lookup(ServerAddress.parse(addr)))
            .as("nothing pinned before the user says yes")
            .isEmpty();
        t.type("y");
        t.await("alice@" + addr + " │ connected");
        assertThat(t.text()).doesNotContain("alice's password 1");
        assertThat(new KnownServers(paths.knownServersFile()).lookup(ServerAddress.parse(addr)))
            .contains(fp);
        ClientSettings saved = ClientSettings.load(paths.settingsFile());
        assertThat(saved.user()).contains("alice");
        assertThat(saved.server()).contains(ServerAddress.parse(addr));
        t.enter("!exit");
        assertThat(t.awaitExit(Duration.ofSeconds(10))).isTrue();
      }
      model.close();
    }
  }

  @Test
  void firstUse_refused_nothingPinnedNothingSent() throws Exception {
    try (SottoServer server = start("srv", RegistrationPolicy.OPEN)) {
      CoreChatModel model = new CoreChatModel(paths, OPTIONS, worker);
      String addr = "127.0.0.1:" + server.port();
      try (VirtualTui t = tui(model)) {
        t.await("Server");
        fillForm(t, addr, "bob", "bob's password 1", true);
        t.await("Accept and remember this server?");
        t.type("n");
        t.await("Server not accepted; nothing was sent to it.");
      }
      assertThat(Files.exists(paths.knownServersFile())).isFalse();
      assertThat(server.accounts().find("bob")).isEmpty();
    }
  }

  @Test
  void changedCertificate_warningNamesBothKeys_andRefuses() throws Exception {
    try (SottoServer server = start("srv", RegistrationPolicy.OPEN)) {
      String addr = "127.0.0.1:" + server.port();
      Fingerprint old = Fingerprint.of(new byte[32]);
      new KnownServers(paths.knownServersFile()).pin(ServerAddress.parse(addr), old);
      CoreChatModel model = new CoreChatModel(paths, OPTIONS, worker);
      try (VirtualTui t = tui(model)) {
        t.await("Server");
        fillForm(t, addr, "carol", "carol's password", true);
        t.await("THE SERVER'S CERTIFICATE HAS CHANGED");
        t.await("Remembered: " + old);
        t.await("Presented: " + Fingerprint.of(server.certificate().fingerprint()));
        t.await(paths.knownServersFile().toString());
        t.key(KeyType.Escape).await("Not connected: the server's certificate changed.");
      }
      assertThat(server.accounts().find("carol")).isEmpty();
      assertThat(new KnownServers(paths.knownServersFile()).lookup(ServerAddress.parse(addr)))
          .contains(old);
    }
  }

  @Test
  void wrongPassword_rejected_thenRightOneLogsIn() throws Exception {
    try (SottoServer server = start("srv", RegistrationPolicy.OPEN)) {
      String addr = "127.0.0.1:" + server.port();
      new KnownServers(paths.knownServersFile())
          .pin(ServerAddress.parse(addr), Fingerprint.of(server.certificate().fingerprint()));
      CoreChatModel model = new CoreChatModel(paths, OPTIONS, worker);
      try (VirtualTui t = tui(model)) {
        t.await("Server");
        fillForm(t, addr, "dave", "dave's password 1", true);
        t.await("dave@" + addr + " │ connected");
        t.enter("!logout").await("Logged out.");
        // Focus is on the password field after a logout; the server and user stay.
        t.enter("not dave's password").await("Wrong username or password.");
        // The rejected password is gone from the (invisible) field: type the right one afresh.
        t.enter("dave's password 1").await("dave@" + addr + " │ connected");
      }
      model.close();
    }
  }

  @Test
  void inviteOnlyServer_registerWithoutCode_asksForIt_wrongCodeRefused() throws Exception {
    try (SottoServer server = start("srv", RegistrationPolicy.INVITE)) {
      String addr = "127.0.0.1:" + server.port();
      new KnownServers(paths.knownServersFile())
          .pin(ServerAddress.parse(addr), Fingerprint.of(server.certificate().fingerprint()));
      CoreChatModel model = new CoreChatModel(paths, OPTIONS, worker);
      try (VirtualTui t = tui(model)) {
        t.await("Server");
        fillForm(t, addr, "erin", "erin's password 1", true);
        t.await("takes new accounts by invite only; enter the invite code.");
        t.await("Invite code");
        t.enter("AAAA-BBBB-CCCC");
        t.await("The invite code was not accepted");
      }
      assertThat(server.accounts().find("erin")).isEmpty();
    }
  }

  @Test
  void unreachableServer_sentenceOnScreen_formStays() throws Exception {
    CoreChatModel model = new CoreChatModel(paths, OPTIONS, worker);
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (VirtualTui t = tui(model)) {
      t.await("Server");
      fillForm(t, "127.0.0.1:" + port, "frank", "frank's password", false);
      t.await("Error:");
      assertThat(t.flat()).contains("127.0.0.1:" + port);
      assertThat(t.text()).doesNotContain("Exception").doesNotContain("\tat ");
    }
  }
}
