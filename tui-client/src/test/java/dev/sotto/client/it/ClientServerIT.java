package dev.sotto.client.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sotto.client.cli.ExitCodes;
import dev.sotto.client.core.CertificateChangedException;
import dev.sotto.client.core.ClientOptions;
import dev.sotto.client.core.Fingerprint;
import dev.sotto.client.core.KnownServers;
import dev.sotto.client.core.LoggedIn;
import dev.sotto.client.core.PushListener;
import dev.sotto.client.core.ServerAddress;
import dev.sotto.client.core.ServerException;
import dev.sotto.client.core.ServerTrust;
import dev.sotto.client.core.Session;
import dev.sotto.client.core.TrustPrompt;
import dev.sotto.keystore.account.AccountKeys;
import dev.sotto.keystore.account.KdfParameters;
import dev.sotto.server.ServerConfig;
import dev.sotto.server.SottoServer;
import dev.sotto.wire.proto.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client core and CLI against the real server, started in-process on port 0 of 127.0.0.1.
 *
 * <p>Accounts are made with a LOWERED Argon2id cost, m = 8 MiB, t = 1, p = 1 (the smallest the
 * protocol accepts), instead of the product's 64 MiB / 3 passes, so the test derives keys in
 * milliseconds; the cost travels with each account, so login uses it as the server returns it.
 */
class ClientServerIT {

  static final KdfParameters LOWERED = new KdfParameters(8 * 1024, 1, 1);
  static final ClientOptions OPTIONS =
      ClientOptions.defaults().withLoweredKdfCostForTesting(LOWERED).withClientName("sotto-it");

  @TempDir Path tmp;

  private SottoServer start(Path data, int port) throws Exception {
    return SottoServer.start(
        ServerConfig.defaults(data).withListen("127.0.0.1", port).withEventLoops(1));
  }

  private Session connect(ServerAddress address, KnownServers known, TrustPrompt prompt)
      throws Exception {
    return Session.connect(
        address, new ServerTrust(known, Optional.empty(), prompt), OPTIONS, PushListener.NONE);
  }

  @Test
  void register_login_changePassword_loginWithNewOnly() throws Exception {
    try (SottoServer server = start(tmp.resolve("server"), 0)) {
      ServerAddress address = new ServerAddress("127.0.0.1", server.port());
      KnownServers known = new KnownServers(tmp.resolve("client/known_servers"));
      Fingerprint expected = Fingerprint.of(server.certificate().fingerprint());

      byte[] storeKey;
      try (Session s = connect(address, known, TrustPrompt.ACCEPT)) {
        assertThat(s.serverId()).isEqualTo(server.serverId());
        LoggedIn alice = s.register("Alice", "alice's first password".toCharArray(), null);
        assertThat(alice.username()).isEqualTo("alice");
        assertThat(alice.newAccount()).isTrue();
        assertThat(alice.deviceId()).isEqualTo(1);
        storeKey = alice.keys().storeKey();
      }
      assertThat(known.lookup(address)).contains(expected);

      try (Session s = connect(address, known, TrustPrompt.REFUSE)) {
        LoggedIn again = s.login("alice", "alice's first password".toCharArray());
        assertThat(again.newAccount()).isFalse();
        assertThat(again.keys().storeKey()).isEqualTo(storeKey);
        AccountKeys changed =
            s.changePassword(
                "alice's first password".toCharArray(), "alice's second password".toCharArray());
        assertThat(changed.parameters()).isEqualTo(LOWERED);
      }

      try (Session s = connect(address, known, TrustPrompt.REFUSE)) {
        assertThatThrownBy(() -> s.login("alice", "alice's first password".toCharArray()))
            .isInstanceOfSatisfying(
                ServerException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.AUTH_FAILED));
      }
      try (Session s = connect(address, known, TrustPrompt.REFUSE)) {
        assertThat(s.login("ALICE", "alice's second password".toCharArray()).username())
            .isEqualTo("alice");
      }
      try (Session s = connect(address, known, TrustPrompt.REFUSE)) {
        assertThatThrownBy(() -> s.register("alice", "another password".toCharArray(), null))
            .isInstanceOfSatisfying(
                ServerException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.USERNAME_TAKEN));
      }
    }
  }

  @Test
  void cli_registerWithPrintedFingerprint_loginWrongPassword_passwd() throws Exception {
    try (SottoServer server = start(tmp.resolve("server"), 0)) {
      String addr = "127.0.0.1:" + server.port();
      Path pw = Files.writeString(tmp.resolve("pw"), "bob's password 1\n");
      Path pw2 = Files.writeString(tmp.resolve("pw2"), "bob's password 2\n");
      Path bad = Files.writeString(tmp.resolve("bad"), "not bob's password\n");
      String printed = server.certificate().fingerprintText();

      InProcessCli.Run r =
          sotto(
              "register",
              "--server",
              addr,
              "--user",
              "bob",
              "--trust",
              printed,
              "--password-file",
              pw.toString());
      assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);

      r = sotto("login", "--password-file", bad.toString());
      assertThat(r.code()).isEqualTo(ExitCodes.AUTH_FAILED);
      assertThat(r.err().lines()).hasSize(1);

      r = sotto("passwd", "--password-file", pw.toString(), "--new-password-file", pw2.toString());
      assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);

      r = sotto("login", "--password-file", pw2.toString());
      assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
      assertThat(r.out()).contains("Logged in as bob on " + addr);
    }
  }

  @Test
  void serverReinstalledOnSamePort_refusedAsChangedCertificate() throws Exception {
    KnownServers known = new KnownServers(tmp.resolve("client/known_servers"));
    int port;
    Fingerprint first;
    try (SottoServer server = start(tmp.resolve("server-a"), 0)) {
      port = server.port();
      first = Fingerprint.of(server.certificate().fingerprint());
      try (Session s = connect(new ServerAddress("127.0.0.1", port), known, TrustPrompt.ACCEPT)) {
        s.register("carol", "carol's password".toCharArray(), null);
      }
    }
    // A fresh data directory makes a new certificate: a different key on the same address.
    try (SottoServer other = start(tmp.resolve("server-b"), port)) {
      Fingerprint second = Fingerprint.of(other.certificate().fingerprint());
      assertThat(second).isNotEqualTo(first);
      ServerAddress address = new ServerAddress("127.0.0.1", port);
      assertThatThrownBy(() -> connect(address, known, TrustPrompt.ACCEPT))
          .isInstanceOfSatisfying(
              CertificateChangedException.class,
              e -> {
                assertThat(e.expected()).isEqualTo(first);
                assertThat(e.presented()).isEqualTo(second);
                assertThat(e.getMessage()).contains(first.hex()).contains(second.hex());
              });
      assertThat(known.lookup(address)).contains(first);

      // The documented fix: pass the new fingerprint (checked with the operator) with --trust.
      try (Session s =
          Session.connect(
              address,
              new ServerTrust(known, Optional.of(second), TrustPrompt.REFUSE),
              OPTIONS,
              PushListener.NONE)) {
        assertThat(s.serverId()).isEqualTo(other.serverId());
      }
      assertThat(known.lookup(address)).contains(second);
    }
  }

  private InProcessCli.Run sotto(String... args) {
    return InProcessCli.run(Map.of(), tmp.resolve("home"), tmp, OPTIONS, "", args);
  }
}
