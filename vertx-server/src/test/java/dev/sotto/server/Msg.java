package dev.sotto.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.sotto.wire.proto.AckMessages;
import dev.sotto.wire.proto.Address;
import dev.sotto.wire.proto.Envelope;
import dev.sotto.wire.proto.EnvelopeType;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.Logout;
import dev.sotto.wire.proto.SendMessage;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/** Messaging helpers for the integration tests, on top of {@link TestClient}. */
final class Msg {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Msg() {}

  static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  static byte[] newId() {
    return randomBytes(16);
  }

  /** Connects, greets, registers (or logs in) and checks the LoginOk. */
  static TestClient session(int port, String name, byte[] key, boolean register) throws Exception {
    TestClient c = TestClient.connect(port);
    c.hello();
    Frame ok = register ? c.register(name, key) : c.login(name, key);
    assertThat(ok.hasLoginOk()).as("login of %s: %s", name, ok).isTrue();
    return c;
  }

  /**
   * Registers a user and reads the empty backlog its first session gets; returns the open
   * connection.
   */
  static TestClient registered(int port, String name, byte[] key) throws Exception {
    TestClient c = session(port, name, key, true);
    Backlog b = backlog(c);
    assertThat(b.summary().getCountsList()).isEmpty();
    assertThat(b.pushes()).isEmpty();
    return c;
  }

  static Frame.Builder envelopeFrame(String to, byte[] id, byte[] ciphertext) {
    return Frame.newBuilder()
        .setSendMessage(
            SendMessage.newBuilder()
                .setEnvelope(
                    Envelope.newBuilder()
                        .setMessageId(ByteString.copyFrom(id))
                        .setRecipient(Address.newBuilder().setUser(to).setDeviceId(1))
                        .setType(EnvelopeType.MESSAGE)
                        .setCiphertext(ByteString.copyFrom(ciphertext))));
  }

  static Frame send(TestClient c, String to, byte[] id, byte[] ciphertext) throws Exception {
    return c.request(envelopeFrame(to, id, ciphertext));
  }

  static Frame ack(TestClient c, List<byte[]> ids) throws Exception {
    AckMessages.Builder a = AckMessages.newBuilder();
    for (byte[] id : ids) {
      a.addMessageIds(ByteString.copyFrom(id));
    }
    return c.request(Frame.newBuilder().setAckMessages(a));
  }

  static Frame logout(TestClient c) throws Exception {
    return c.request(Frame.newBuilder().setLogout(Logout.getDefaultInstance()));
  }

  /** A complete upload: identity, signed prekey, last-resort KEM key and n one-time keys each. */
  static dev.sotto.wire.proto.UploadPreKeys upload(int oneTime, int firstId) {
    dev.sotto.wire.proto.UploadPreKeys.Builder u =
        dev.sotto.wire.proto.UploadPreKeys.newBuilder()
            .setDeviceId(1)
            .setIdentitySigningKey(ByteString.copyFrom(randomBytes(32)))
            .setIdentityAgreementKey(signed(1, 32))
            .setSignedPreKey(signed(2, 32))
            .setLastResortKemPreKey(signed(3, 1184));
    for (int i = 0; i < oneTime; i++) {
      u.addOneTimePreKeys(
          dev.sotto.wire.proto.OneTimePreKey.newBuilder()
              .setId(firstId + i)
              .setPublicKey(ByteString.copyFrom(randomBytes(32))));
      u.addOneTimeKemPreKeys(signed(firstId + i, 1184));
    }
    return u.build();
  }

  static dev.sotto.wire.proto.SignedPreKey signed(int id, int keyBytes) {
    return dev.sotto.wire.proto.SignedPreKey.newBuilder()
        .setId(id)
        .setPublicKey(ByteString.copyFrom(randomBytes(keyBytes)))
        .setSignature(ByteString.copyFrom(randomBytes(64)))
        .build();
  }

  static Frame fetch(TestClient c, String user) throws Exception {
    return c.request(
        Frame.newBuilder()
            .setFetchPreKeyBundle(
                dev.sotto.wire.proto.FetchPreKeyBundle.newBuilder()
                    .setAddress(Address.newBuilder().setUser(user).setDeviceId(1))));
  }

  static Frame listUsers(TestClient c) throws Exception {
    return c.request(
        Frame.newBuilder().setListUsers(dev.sotto.wire.proto.ListUsers.getDefaultInstance()));
  }

  static Frame setPresence(TestClient c, dev.sotto.wire.proto.PresenceState p) throws Exception {
    return c.request(
        Frame.newBuilder()
            .setSetPresence(dev.sotto.wire.proto.SetPresence.newBuilder().setPresence(p)));
  }

  static Frame block(TestClient c, String user) throws Exception {
    return c.request(
        Frame.newBuilder().setBlock(dev.sotto.wire.proto.Block.newBuilder().setUsername(user)));
  }

  static Frame unblock(TestClient c, String user) throws Exception {
    return c.request(
        Frame.newBuilder().setUnblock(dev.sotto.wire.proto.Unblock.newBuilder().setUsername(user)));
  }

  static Frame watch(TestClient c, String... users) throws Exception {
    return c.request(
        Frame.newBuilder()
            .setWatchPresence(
                dev.sotto.wire.proto.WatchPresence.newBuilder().addAllUsernames(List.of(users))));
  }

  /** Asserts that nothing at all arrives on {@code c} within {@code ms}. */
  static void assertNothingWithin(TestClient c, int ms) throws Exception {
    c.setTimeoutMs(ms);
    try {
      Frame f = c.nextPush();
      throw new AssertionError("expected nothing, got " + (f == null ? "end of stream" : f));
    } catch (java.net.SocketTimeoutException expected) {
      // Nothing came.
    } finally {
      c.setTimeoutMs(15_000);
    }
  }

  /** The presence {@code list} shows for {@code user}. */
  static dev.sotto.wire.proto.UserList.User entry(Frame list, String user) {
    return list.getUserList().getUsersList().stream()
        .filter(u -> u.getUsername().equals(user))
        .findFirst()
        .orElseThrow(() -> new AssertionError(user + " is not listed"));
  }

  /** The next presence push about {@code user}, skipping others. */
  static dev.sotto.wire.proto.PresencePush nextPresenceOf(TestClient c, String user)
      throws Exception {
    while (true) {
      Frame f = c.nextPush();
      assertThat(f).as("end of stream while waiting for presence of %s", user).isNotNull();
      if (f.hasPresencePush() && f.getPresencePush().getUsername().equals(user)) {
        return f.getPresencePush();
      }
    }
  }

  /** The next push that is not a presence or prekey notice. */
  static Frame nextDelivery(TestClient c) throws Exception {
    while (true) {
      Frame f = c.nextPush();
      if (f == null) {
        return null;
      }
      if (!f.hasPresencePush() && !f.hasPreKeysLow()) {
        return f;
      }
    }
  }

  /** What a login delivers: the summary, the pushes, then BacklogDone. */
  record Backlog(dev.sotto.wire.proto.BacklogSummary summary, List<Envelope> pushes) {}

  static Backlog backlog(TestClient c) throws Exception {
    Frame first = nextDelivery(c);
    assertThat(first).isNotNull();
    assertThat(first.hasBacklogSummary()).as("%s", first.getBodyCase()).isTrue();
    List<Envelope> pushes = new ArrayList<>();
    while (true) {
      Frame f = nextDelivery(c);
      assertThat(f).as("end of stream before BacklogDone").isNotNull();
      if (f.hasBacklogDone()) {
        return new Backlog(first.getBacklogSummary(), pushes);
      }
      assertThat(f.hasMessagePush()).as("%s", f.getBodyCase()).isTrue();
      pushes.add(f.getMessagePush().getEnvelope());
    }
  }
}
