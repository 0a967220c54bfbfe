package dev.sotto.client.tui.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import dev.sotto.client.core.ClientOptions;
import dev.sotto.client.core.ClientPaths;
import dev.sotto.client.core.Fingerprint;
import dev.sotto.client.core.KnownServers;
import dev.sotto.client.core.ServerAddress;
import dev.sotto.client.tui.TuiConfig;
import dev.sotto.keystore.account.KdfParameters;
import dev.sotto.server.ServerConfig;
import dev.sotto.server.SottoServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two full-screen clients on the real core chat through the real server, all in this JVM: each
 * client is the real {@code TuiApp} event loop on a virtual terminal over a {@link CoreChatModel}
 * with its own home directory. Covers online and offline delivery with ticks, unread counts and
 * presence, the reconnect countdown with typed input kept, the second client on one account (store
 * locked), and the identity-change banner that blocks sending until {@code !trust}.
 *
 * <p>Accounts use a LOWERED Argon2id cost (8 MiB, 1 pass) so logins take milliseconds.
 */
class TuiChatIT {

  static final ClientOptions OPTIONS =
      ClientOptions.defaults()
          .withLoweredKdfCostForTesting(new KdfParameters(8 * 1024, 1, 1))
          .withClientName("sotto-tui-it");

  @TempDir Path tmp;
  private final List<AutoCloseable> open = new ArrayList<>();

  /** One person: a home directory, the core adapter and the TUI on a virtual terminal. */
  final class Client implements AutoCloseable {
    final ExecutorService worker = Executors.newSingleThreadExecutor();
    final ClientPaths paths;
    final CoreChatModel model;
    final VirtualTui tui;

    Client(String home, SottoServer server) throws Exception {
      paths = ClientPaths.resolve(tmp.resolve(home), Map.of(), null, "/nonexistent");
      new KnownServers(paths.knownServersFile())
          .pin(address(server), Fingerprint.of(server.certificate().fingerprint()));
      model = new CoreChatModel(paths, OPTIONS, worker);
      tui =
          new VirtualTui(
              100,
              30,
              model,
              new CoreLoginController(paths, OPTIONS, model, worker),
              TuiConfig.defaults().withIdleAway(Duration.ZERO).withBell(false));
      open.add(this);
      tui.await("Server");
    }

    Client login(SottoServer server, String user, String password, boolean register) {
      tui.type(address(server).toString())
          .key(KeyType.Tab)
          .type(user)
          .key(KeyType.Tab)
          .type(password);
      if (register) {
        tui.key(KeyType.Tab).key(KeyType.ArrowRight);
      }
      tui.key(KeyType.Enter);
      return this;
    }

    /** The screen row holding {@code text}, or fails with the screen. */
    String row(String text) {
      tui.await(text);
      return tui.lines().stream().filter(l -> l.contains(text)).findFirst().orElseThrow();
    }

    /** Waits until the row holding {@code text} also holds {@code mark}. */
    void awaitRow(String text, String mark) throws InterruptedException {
      long end = System.nanoTime() + VirtualTui.WAIT.toNanos();
      while (System.nanoTime() < end) {
        if (row(text).contains(mark)) {
          return;
        }
        Thread.sleep(20);
      }
      throw new AssertionError("row '" + text + "' never showed '" + mark + "':\n" + tui.text());
    }

    @Override
    public void close() throws Exception {
      tui.close();
      model.close();
      worker.shutdownNow();
    }
  }

  /** A client whose user {@code name} (also its home) registered and is connected. */
  private Client registered(SottoServer server, String name, String password) throws Exception {
    Client c = new Client(name, server).login(server, name, password, true);
    c.tui.await("│ connected");
    return c;
  }

  static ServerAddress address(SottoServer server) {
    return new ServerAddress("127.0.0.1", server.port());
  }

  private SottoServer start(Path data, int port) throws Exception {
    return SottoServer.start(
        ServerConfig.defaults(data).withListen("127.0.0.1", port).withEventLoops(1));
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  @Test
  void twoClients_chatOnlineAndOffline_ticksUnreadPresence() throws Exception {
    try (SottoServer server = start(tmp.resolve("srv"), 0)) {
      String addr = address(server).toString();
      Client alice = new Client("alice", server).login(server, "alice", "alice password 1", true);
      alice.tui.await("alice@" + addr + " │ connected");
      Client bob = new Client("bob", server).login(server, "bob", "bob's password 1", true);
      bob.tui.await("bob@" + addr + " │ connected");

      alice.tui.enter("!talk bob");
      alice.tui.await("[1:bob]");
      // Opened by name, before any message: bob's presence is watched already.
      bob.model.setPresence(dev.sotto.client.tui.model.Presence.AWAY).get(10, TimeUnit.SECONDS);
      alice.awaitRow("1 ◐ bob", "bob");
      bob.model.setPresence(dev.sotto.client.tui.model.Presence.ONLINE).get(10, TimeUnit.SECONDS);
      alice.awaitRow("1 ● bob", "bob");
      alice.tui.enter("hello bob, it's alice");
      // Stored by the server, then delivered to bob's running client: two ticks.
      alice.awaitRow("hello bob, it's alice", "✓✓");
      assertThat(alice.row("1 ● bob")).as("bob is online in alice's list").isNotNull();

      // Bob's list shows the new conversation with one unread message.
      assertThat(bob.row("alice")).matches(" 1 ● alice +1│.*");
      bob.tui.terminal.addInput(new KeyStroke('1', false, true)); // Alt+1
      bob.tui.await("hello bob, it's alice");
      // Bob read it: alice sees the read mark.
      alice.awaitRow("hello bob, it's alice", "●●");
      bob.tui.enter("hi alice!");
      alice.tui.await("hi alice!");

      // Offline: bob logs out, alice's message waits in the mailbox (one tick).
      bob.tui.enter("!logout");
      bob.tui.await("Logged out.");
      alice.awaitRow("1 ○ bob", "bob");
      alice.tui.enter("are you there? (sent while you were away)");
      alice.awaitRow("are you there?", "✓");
      assertThat(alice.row("are you there?")).doesNotContain("✓✓");
      bob.tui.enter("bob's password 1");
      bob.tui.await("bob@" + addr + " │ connected");
      bob.tui.await("are you there? (sent while you were away)");
      alice.awaitRow("are you there?", "●●");
      assertThat(alice.tui.text()).doesNotContain("Exception");
      assertThat(bob.tui.text()).doesNotContain("Exception");
    }
  }

  @Test
  void receiptsOff_takesEffectAtOnce_andIsSaved() throws Exception {
    try (SottoServer server = start(tmp.resolve("srv"), 0)) {
      Client alice = registered(server, "alice", "alice password 1");
      Client bob = registered(server, "bob", "bob's password 1");

      bob.tui.enter("!receipts off").await("Read receipts are off.");
      assertThat(bob.tui.flat()).doesNotContain("next login");
      Path bobDir = bob.paths.accountDir(address(server), "bob");
      assertThat(TuiPreferences.load(bobDir).readReceipts()).as("saved").isFalse();

      alice.tui.enter("!talk bob").await("[1:bob]");
      alice.tui.enter("read without telling");
      alice.awaitRow("read without telling", "✓✓");
      assertThat(bob.row("alice")).matches(" 1 ● alice +1│.*");
      bob.tui.terminal.addInput(new KeyStroke('1', false, true)); // Alt+1
      bob.tui.await("read without telling");
      // Opening it marks it read; this call queues behind that one on the messenger's thread.
      bob.model.markRead("alice").get(10, TimeUnit.SECONDS);

      // On again in the same session: the next message read is told, the earlier one never.
      bob.tui.enter("!receipts on").await("Read receipts are on.");
      assertThat(TuiPreferences.load(bobDir).readReceipts()).isTrue();
      alice.tui.enter("read and told");
      bob.tui.await("read and told");
      alice.awaitRow("read and told", "●●");
      assertThat(alice.row("read without telling")).contains("✓✓").doesNotContain("●●");
    }
  }

  @Test
  void serverRestart_countdownShown_typedInputKept_thenSent() throws Exception {
    Path data = tmp.resolve("srv");
    SottoServer server = start(data, 0);
    int port = server.port();
    Client alice;
    Client bob;
    try {
      alice = new Client("alice", server).login(server, "alice", "alice password 1", true);
      alice.tui.await("│ connected");
      bob = new Client("bob", server).login(server, "bob", "bob's password 1", true);
      bob.tui.await("│ connected");
      alice.tui.enter("!talk bob").await("[1:bob]");
      alice.tui.enter("first");
      alice.awaitRow("first", "✓✓");
    } finally {
      server.close();
    }
    alice.tui.await("reconnecting");
    alice.tui.type("typed while the server is down");
    try (SottoServer again = start(data, port)) {
      alice.tui.await("│ connected");
      assertThat(alice.row("typed while the server is down")).startsWith("[bob]");
      alice.tui.key(KeyType.Enter);
      bob.tui.await("│ connected");
      bob.tui.enter("!talk alice").await("typed while the server is down");
      alice.awaitRow("typed while the server is down", "●●");
    }
  }

  @Test
  void secondClientOnSameAccount_toldTheStoreIsInUse() throws Exception {
    try (SottoServer server = start(tmp.resolve("srv"), 0)) {
      Client first = new Client("carol", server).login(server, "carol", "carol password", true);
      first.tui.await("│ connected");
      // A second client with the same home (same machine and account).
      // The form is prefilled with the server and user the first one saved: type the password.
      Client second = new Client("carol", server);
      second.tui.enter("carol password");
      second.tui.await("carol is already open in another Sotto client on this machine");
      assertThat(second.tui.flat()).contains("quit that one first");
      assertThat(first.tui.text()).contains("│ connected");
    }
  }

  @Test
  void identityChange_bannerBlocksSending_untilTrust() throws Exception {
    try (SottoServer server = start(tmp.resolve("srv"), 0)) {
      Client alice = registered(server, "alice", "alice password 1");
      Client bob = registered(server, "bob", "bob's password 1");
      alice.tui.enter("!talk bob").await("[1:bob]");
      alice.tui.enter("before the reset");
      bob.tui.enter("!talk alice").await("before the reset");

      bob.tui.enter("!resetkeys").await("Type yes");
      bob.tui.enter("yes").await("New identity made");
      bob.tui.enter("after the reset");

      alice.tui.await("bob's safety number changed");
      alice.tui.enter("should not go out");
      alice.tui.await("Not sent: bob's safety number changed");
      assertThat(alice.row("should not go out")).startsWith("[bob");
      for (int i = 0; i < "should not go out".length(); i++) {
        alice.tui.key(KeyType.Backspace);
      }
      alice.tui.enter("!trust bob").await("You now trust bob's new key");
      alice.tui.await("after the reset");
      alice.tui.enter("trusted again");
      bob.tui.await("trusted again");
    }
  }

  @Test
  void loginOnAnotherMachine_warnsAboutNewIdentity_secondLoginMakesIt() throws Exception {
    try (SottoServer server = start(tmp.resolve("srv"), 0)) {
      Client home = new Client("dave-home", server).login(server, "dave", "dave's password", true);
      home.tui.await("│ connected");
      home.tui.enter("!exit");
      assertThat(home.tui.awaitExit(Duration.ofSeconds(10))).isTrue();
      home.model.close();

      Client laptop =
          new Client("dave-laptop", server).login(server, "dave", "dave's password", false);
      laptop.tui.await("This machine has no keys for dave");
      assertThat(laptop.tui.flat()).contains("Log in again to make a new identity here");
      laptop.tui.enter("dave's password");
      laptop.tui.await("dave@" + address(server) + " │ connected");
    }
  }
}
