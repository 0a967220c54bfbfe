package dev.sotto.client.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sotto.client.testing.FakeServer;
import dev.sotto.keystore.account.AccountKeys;
import dev.sotto.keystore.account.KdfParameters;
import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.KdfParams;
import dev.sotto.wire.proto.RegistrationMode;
import java.net.ProtocolException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Session behaviour against the in-test server. Accounts use a LOWERED Argon2id cost (8 MiB, one
 * pass), the smallest the protocol allows, to keep the suite fast.
 */
class SessionTest {

  static final KdfParameters TEST_COST = new KdfParameters(8 * 1024, 1, 1);

  @TempDir Path dir;
  private FakeServer server;
  private KnownServers known;
  private final ClientOptions options =
      ClientOptions.defaults().withLoweredKdfCostForTesting(TEST_COST);

  @BeforeEach
  void start() throws Exception {
    server = new FakeServer();
    known = new KnownServers(dir.resolve("known_servers"));
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private ServerAddress address() {
    return new ServerAddress("127.0.0.1", server.port());
  }

  private Session connect(TrustPrompt prompt) throws Exception {
    return Session.connect(
        address(), new ServerTrust(known, Optional.empty(), prompt), options, PushListener.NONE);
  }

  @Test
  void firstUse_promptAccepts_pinsAndConnects() throws Exception {
    AtomicInteger asked = new AtomicInteger();
    Fingerprint real = Fingerprint.of(server.spkiSha256());
    try (Session s =
        connect(
            (srv, fp) -> {
              asked.incrementAndGet();
              assertThat(srv).isEqualTo(address());
              assertThat(fp).isEqualTo(real);
              return true;
            })) {
      assertThat(s.serverId()).hasSize(16);
    }
    assertThat(asked).hasValue(1);
    assertThat(known.lookup(address())).contains(real);
    // Second time: pinned, nobody is asked.
    try (Session s = connect(TrustPrompt.REFUSE)) {
      assertThat(s.registration()).isEqualTo(RegistrationMode.REGISTRATION_OPEN);
    }
  }

  @Test
  void firstUse_promptRefuses_nothingSentNothingPinned() throws Exception {
    assertThatThrownBy(() -> connect(TrustPrompt.REFUSE))
        .isInstanceOf(UntrustedServerException.class)
        .hasMessageContaining(Fingerprint.of(server.spkiSha256()).hex())
        .hasMessageContaining("--trust");
    assertThat(known.lookup(address())).isEmpty();
    assertThat(server.received()).isEmpty();
  }

  @Test
  void changedCertificate_refusedNamingBothFingerprintsAndTheFix() throws Exception {
    Fingerprint old = Fingerprint.of(new byte[32]);
    known.pin(address(), old);
    Fingerprint real = Fingerprint.of(server.spkiSha256());
    assertThatThrownBy(() -> connect(TrustPrompt.ACCEPT))
        .isInstanceOfSatisfying(
            CertificateChangedException.class,
            e -> {
              assertThat(e.expected()).isEqualTo(old);
              assertThat(e.presented()).isEqualTo(real);
              assertThat(e.getMessage())
                  .contains("CHANGED")
                  .contains(old.hex())
                  .contains(real.hex())
                  .contains("--trust " + real.hex())
                  .contains("line 1 of " + known.file());
            });
    assertThat(server.received()).isEmpty();
    assertThat(known.lookup(address())).contains(old);
  }

  @Test
  void explicitTrust_matching_pinsAndReplacesAnOldPin() throws Exception {
    known.pin(address(), Fingerprint.of(new byte[32]));
    Fingerprint real = Fingerprint.of(server.spkiSha256());
    try (Session s =
        Session.connect(
            address(),
            new ServerTrust(known, Optional.of(real), TrustPrompt.REFUSE),
            options,
            PushListener.NONE)) {
      assertThat(s.connection().fingerprint()).isEqualTo(real);
    }
    assertThat(known.lookup(address())).contains(real);
  }

  @Test
  void explicitTrust_notMatching_refusedAndNothingPinned() throws Exception {
    Fingerprint wrong = Fingerprint.of(new byte[32]);
    assertThatThrownBy(
            () ->
                Session.connect(
                    address(),
                    new ServerTrust(known, Optional.of(wrong), TrustPrompt.ACCEPT),
                    options,
                    PushListener.NONE))
        .isInstanceOf(CertificateChangedException.class)
        .hasMessageContaining("as given with --trust");
    assertThat(known.lookup(address())).isEmpty();
  }

  @Test
  void welcome_otherProtocolVersion_refused() throws Exception {
    server.protocolVersion(2);
    assertThatThrownBy(() -> connect(TrustPrompt.ACCEPT))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("version 2");
  }

  @Test
  void registerLoginChangePassword_roundTrip() throws Exception {
    byte[] storeKey;
    try (Session s = connect(TrustPrompt.ACCEPT)) {
      LoggedIn in = s.register("Alice", "first password".toCharArray(), null);
      assertThat(in.username()).isEqualTo("alice");
      assertThat(in.newAccount()).isTrue();
      assertThat(s.username()).contains("alice");
      assertThat(server.authKeyOf("alice").toByteArray()).isEqualTo(in.keys().authKey());
      Frame reg = server.received().stream().filter(Frame::hasRegister).findFirst().orElseThrow();
      assertThat(reg.getRegister().getKdfParams().getMemoryKib()).isEqualTo(8 * 1024);
      // The password itself is never on the wire.
      assertThat(reg.toByteString().toStringUtf8()).doesNotContain("first password");
      storeKey = in.keys().storeKey();
    }
    try (Session s = connect(TrustPrompt.REFUSE)) {
      LoggedIn in = s.login("alice", "first password".toCharArray());
      assertThat(in.newAccount()).isFalse();
      assertThat(in.keys().storeKey()).isEqualTo(storeKey);
      AccountKeys changed =
          s.changePassword("first password".toCharArray(), "second password".toCharArray());
      assertThat(changed.storeKey()).isNotEqualTo(storeKey);
    }
    try (Session s = connect(TrustPrompt.REFUSE)) {
      assertThatThrownBy(() -> s.login("alice", "first password".toCharArray()))
          .isInstanceOfSatisfying(
              ServerException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.AUTH_FAILED));
    }
    try (Session s = connect(TrustPrompt.REFUSE)) {
      assertThat(s.login("alice", "second password".toCharArray()).username()).isEqualTo("alice");
    }
  }

  @Test
  void login_serverAsksCostBelowFloor_refusedBeforeSendingAnyKey() throws Exception {
    server.defaultParams(
        KdfParams.newBuilder().setMemoryKib(8192).setIterations(1).setParallelism(1).build());
    try (Session s =
        Session.connect(
            address(),
            new ServerTrust(known, Optional.empty(), TrustPrompt.ACCEPT),
            ClientOptions.defaults(),
            PushListener.NONE)) {
      assertThatThrownBy(() -> s.login("nobody", "some password".toCharArray()))
          .isInstanceOf(ProtocolException.class)
          .hasMessageContaining("below this client's minimum");
    }
    assertThat(server.received()).noneMatch(Frame::hasLogin);
  }

  @Test
  void login_serverAsksAbsurdCost_refused() throws Exception {
    server.defaultParams(
        KdfParams.newBuilder()
            .setMemoryKib(Integer.MAX_VALUE)
            .setIterations(3)
            .setParallelism(1)
            .build());
    try (Session s = connect(TrustPrompt.ACCEPT)) {
      assertThatThrownBy(() -> s.login("nobody", "some password".toCharArray()))
          .isInstanceOf(ProtocolException.class)
          .hasMessageContaining("invalid key-derivation cost");
    }
  }

  @Test
  void badInput_refusedLocallyBeforeAnyRequest() throws Exception {
    try (Session s = connect(TrustPrompt.ACCEPT)) {
      int before = server.received().size();
      assertThatThrownBy(() -> s.register("al", "long enough pw".toCharArray(), null))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("3 to 32");
      assertThatThrownBy(() -> s.login("alice", "short".toCharArray()))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("at least 10 characters, got 5");
      assertThat(server.received()).hasSize(before);
    }
  }

  @Test
  void register_inviteOnlyWithoutCode_refusedLocally_withWrongCode_serverRefuses()
      throws Exception {
    server.registration(RegistrationMode.REGISTRATION_INVITE);
    try (Session s = connect(TrustPrompt.ACCEPT)) {
      assertThatThrownBy(() -> s.register("bob", "long enough pw".toCharArray(), " "))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("invite");
      assertThatThrownBy(() -> s.register("bob", "long enough pw".toCharArray(), "bad"))
          .isInstanceOfSatisfying(
              ServerException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVITE_INVALID));
      assertThat(s.register("bob", "long enough pw".toCharArray(), "good-invite").username())
          .isEqualTo("bob");
    }
  }

  @Test
  void register_takenName_serverExceptionCarriesSentence() throws Exception {
    try (Session s = connect(TrustPrompt.ACCEPT)) {
      s.register("carol", "long enough pw".toCharArray(), null);
    }
    try (Session s = connect(TrustPrompt.ACCEPT)) {
      assertThatThrownBy(() -> s.register("carol", "long enough pw".toCharArray(), null))
          .isInstanceOfSatisfying(
              ServerException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.USERNAME_TAKEN);
                assertThat(e.getMessage()).isEqualTo("That username is already taken.");
              });
    }
  }

  @Test
  void changePassword_beforeLogin_isProgrammerError() throws Exception {
    try (Session s = connect(TrustPrompt.ACCEPT)) {
      assertThatThrownBy(
              () -> s.changePassword("old password".toCharArray(), "new password".toCharArray()))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void changePassword_wrongOld_refusedAndOldStillWorks() throws Exception {
    try (Session s = connect(TrustPrompt.ACCEPT)) {
      s.register("dave", "right password".toCharArray(), null);
      assertThatThrownBy(
              () -> s.changePassword("wrong password".toCharArray(), "new password!".toCharArray()))
          .isInstanceOfSatisfying(
              ServerException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.AUTH_FAILED));
    }
    try (Session s = connect(TrustPrompt.ACCEPT)) {
      assertThat(s.login("dave", "right password".toCharArray()).username()).isEqualTo("dave");
    }
    assertThat(Files.exists(known.file())).isTrue();
  }

  @Test
  void settleTrust_firstUse_asksAndPinsWithoutSendingAFrame() throws Exception {
    Fingerprint real = Fingerprint.of(server.spkiSha256());
    ServerTrust trust = new ServerTrust(known, Optional.empty(), TrustPrompt.ACCEPT);
    assertThat(Session.settleTrust(address(), trust, options)).isEqualTo(real);
    assertThat(known.lookup(address())).contains(real);
    assertThat(server.received()).isEmpty();
    // Pinned now: a refusing prompt is not consulted.
    assertThat(
            Session.settleTrust(
                address(), new ServerTrust(known, Optional.empty(), TrustPrompt.REFUSE), options))
        .isEqualTo(real);
  }

  @Test
  void settleTrust_refused_pinsNothing() throws Exception {
    assertThatThrownBy(
            () ->
                Session.settleTrust(
                    address(),
                    new ServerTrust(known, Optional.empty(), TrustPrompt.REFUSE),
                    options))
        .isInstanceOf(UntrustedServerException.class);
    assertThat(known.lookup(address())).isEmpty();
  }
}
