package dev.sotto.wire;

import com.google.protobuf.ByteString;
import dev.sotto.wire.proto.AckMessages;
import dev.sotto.wire.proto.Address;
import dev.sotto.wire.proto.BacklogDone;
import dev.sotto.wire.proto.BacklogSummary;
import dev.sotto.wire.proto.Block;
import dev.sotto.wire.proto.ChangePassword;
import dev.sotto.wire.proto.Envelope;
import dev.sotto.wire.proto.EnvelopeType;
import dev.sotto.wire.proto.Error;
import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.FetchPreKeyBundle;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.Hello;
import dev.sotto.wire.proto.KdfParams;
import dev.sotto.wire.proto.KdfParamsRequest;
import dev.sotto.wire.proto.KdfParamsResponse;
import dev.sotto.wire.proto.ListUsers;
import dev.sotto.wire.proto.Login;
import dev.sotto.wire.proto.LoginOk;
import dev.sotto.wire.proto.Logout;
import dev.sotto.wire.proto.MessagePush;
import dev.sotto.wire.proto.Ok;
import dev.sotto.wire.proto.OneTimePreKey;
import dev.sotto.wire.proto.Ping;
import dev.sotto.wire.proto.Pong;
import dev.sotto.wire.proto.PreKeyBundleResponse;
import dev.sotto.wire.proto.PreKeyCount;
import dev.sotto.wire.proto.PreKeyCountRequest;
import dev.sotto.wire.proto.PreKeysLow;
import dev.sotto.wire.proto.PresencePush;
import dev.sotto.wire.proto.PresenceState;
import dev.sotto.wire.proto.Register;
import dev.sotto.wire.proto.RegistrationMode;
import dev.sotto.wire.proto.SendMessage;
import dev.sotto.wire.proto.SetPresence;
import dev.sotto.wire.proto.SignedPreKey;
import dev.sotto.wire.proto.Stored;
import dev.sotto.wire.proto.Unblock;
import dev.sotto.wire.proto.UserList;
import dev.sotto.wire.proto.WatchPresence;
import dev.sotto.wire.proto.Welcome;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One sample of every frame kind, named as in {@code golden/frames.txt}. The values mirror {@code
 * golden/make_frames.py}, the independent encoder that made the golden bytes.
 */
final class SampleFrames {
  static final ByteString SERVER_ID = range(0x00, 16);
  static final ByteString ID1 = range(0x10, 16);
  static final ByteString ID2 = range(0x20, 16);
  static final long T = 1_700_000_000_000L;
  static final Address BOB1 = Address.newBuilder().setUser("bob").setDeviceId(1).build();
  static final Address ALICE1 = Address.newBuilder().setUser("alice").setDeviceId(1).build();

  private SampleFrames() {}

  /** Every sample, in the order of {@code frames.txt}. */
  static Map<String, Frame> all() {
    Map<String, Frame> m = new LinkedHashMap<>();
    m.put(
        "hello", f(1).setHello(Hello.newBuilder().setProtocolVersion(1).setClient("cli")).build());
    m.put(
        "welcome",
        f(1).setWelcome(
                Welcome.newBuilder()
                    .setProtocolVersion(1)
                    .setServerId(SERVER_ID)
                    .setLimits(WireLimits.toProto())
                    .setServerTimeMs(T)
                    .setRegistration(RegistrationMode.REGISTRATION_OPEN))
            .build());
    m.put("error", ErrorMessages.error(5, ErrorCode.RATE_LIMITED, "wait", 1500));
    m.put(
        "error_retry_zero",
        f(5).setError(Error.newBuilder().setCode(ErrorCode.SERVER_BUSY).setRetryAfterMs(0))
            .build());
    m.put("error_unsupported_version", ErrorMessages.unsupportedVersion(1, 2, 1));
    m.put("ping", f(7).setPing(Ping.newBuilder().setNonce(42)).build());
    m.put("ping_max_request_id", f(-1L).setPing(Ping.getDefaultInstance()).build());
    m.put("pong", f(7).setPong(Pong.newBuilder().setNonce(42)).build());
    m.put("ok", f(3).setOk(Ok.getDefaultInstance()).build());
    m.put(
        "kdf_params_request",
        f(2).setKdfParamsRequest(KdfParamsRequest.newBuilder().setUsername("bob")).build());
    m.put(
        "kdf_params_response",
        f(2).setKdfParamsResponse(KdfParamsResponse.newBuilder().setParams(kdf(65536, 3, 1)))
            .build());
    m.put(
        "register",
        f(3).setRegister(
                Register.newBuilder()
                    .setUsername("bob")
                    .setKdfParams(kdf(65536, 3, 1))
                    .setAuthKey(fill(0x11, 32))
                    .setInviteCode("inv"))
            .build());
    m.put(
        "login",
        f(4).setLogin(
                Login.newBuilder().setUsername("bob").setAuthKey(fill(0x22, 32)).setDeviceId(1))
            .build());
    m.put(
        "login_ok",
        f(4).setLoginOk(
                LoginOk.newBuilder()
                    .setUsername("bob")
                    .setDeviceId(1)
                    .setLimits(WireLimits.toProto())
                    .setNewAccount(true))
            .build());
    m.put(
        "change_password",
        f(5).setChangePassword(
                ChangePassword.newBuilder()
                    .setOldAuthKey(fill(0x11, 32))
                    .setNewAuthKey(fill(0x33, 32))
                    .setNewKdfParams(kdf(131072, 4, 2)))
            .build());
    m.put("logout", f(6).setLogout(Logout.getDefaultInstance()).build());
    m.put(
        "upload_pre_keys",
        f(8).setUploadPreKeys(
                dev.sotto.wire.proto.UploadPreKeys.newBuilder()
                    .setDeviceId(1)
                    .setIdentitySigningKey(bytes(0x01, 0x02))
                    .setIdentityAgreementKey(spk(1, bytes(0xb1, 0xb2), bytes(0xc1, 0xc2)))
                    .setSignedPreKey(spk(2, bytes(0xb3), bytes(0xc3)))
                    .setLastResortKemPreKey(spk(3, bytes(0xb4), bytes(0xc4)))
                    .addOneTimePreKeys(otpk(10, bytes(0xd1)))
                    .addOneTimePreKeys(otpk(11, bytes(0xd2)))
                    .addOneTimeKemPreKeys(spk(20, bytes(0xe1), bytes(0xf1)))
                    .setReplace(true))
            .build());
    m.put(
        "fetch_pre_key_bundle",
        f(9).setFetchPreKeyBundle(FetchPreKeyBundle.newBuilder().setAddress(BOB1)).build());
    m.put(
        "pre_key_bundle",
        f(9).setPreKeyBundle(
                PreKeyBundleResponse.newBuilder()
                    .setAddress(BOB1)
                    .setIdentitySigningKey(bytes(0x01, 0x02))
                    .setIdentityAgreementKey(spk(1, bytes(0xb1, 0xb2), bytes(0xc1, 0xc2)))
                    .setSignedPreKey(spk(2, bytes(0xb3), bytes(0xc3)))
                    .setOneTimePreKey(otpk(10, bytes(0xd1)))
                    .setKemPreKey(spk(3, bytes(0xb4), bytes(0xc4)))
                    .setKemPreKeyIsLastResort(true))
            .build());
    m.put(
        "pre_key_count_request",
        f(10).setPreKeyCountRequest(PreKeyCountRequest.getDefaultInstance()).build());
    m.put(
        "pre_key_count",
        f(10).setPreKeyCount(PreKeyCount.newBuilder().setOneTime(100).setOneTimeKem(300)).build());
    m.put("pre_keys_low", f(0).setPreKeysLow(PreKeysLow.newBuilder().setOneTime(5)).build());
    m.put(
        "send_message",
        f(11)
            .setSendMessage(
                SendMessage.newBuilder()
                    .setEnvelope(
                        Envelope.newBuilder()
                            .setMessageId(ID1)
                            .setRecipient(BOB1)
                            .setType(EnvelopeType.MESSAGE)
                            .setCiphertext(bytes(0xde, 0xad))))
            .build());
    m.put(
        "stored",
        f(11)
            .setStored(
                Stored.newBuilder()
                    .setMessageId(ID1)
                    .setHeld(true)
                    .setRecipientPresence(PresenceState.DND))
            .build());
    m.put(
        "message_push",
        f(0).setMessagePush(
                MessagePush.newBuilder()
                    .setEnvelope(
                        Envelope.newBuilder()
                            .setMessageId(ID1)
                            .setSender(ALICE1)
                            .setRecipient(BOB1)
                            .setType(EnvelopeType.PRE_KEY_MESSAGE)
                            .setCiphertext(bytes(0xde, 0xad))
                            .setServerTimeMs(T)))
            .build());
    m.put(
        "ack_messages",
        f(12)
            .setAckMessages(AckMessages.newBuilder().addMessageIds(ID1).addMessageIds(ID2))
            .build());
    m.put(
        "backlog_summary",
        f(0).setBacklogSummary(
                BacklogSummary.newBuilder()
                    .addCounts(BacklogSummary.Count.newBuilder().setSender("alice").setCount(3))
                    .addCounts(BacklogSummary.Count.newBuilder().setSender("carol").setCount(1)))
            .build());
    m.put("backlog_done", f(0).setBacklogDone(BacklogDone.getDefaultInstance()).build());
    m.put("list_users", f(13).setListUsers(ListUsers.getDefaultInstance()).build());
    m.put(
        "user_list",
        f(13)
            .setUserList(
                UserList.newBuilder()
                    .addUsers(
                        UserList.User.newBuilder()
                            .setUsername("alice")
                            .setPresence(PresenceState.ONLINE))
                    .addUsers(
                        UserList.User.newBuilder()
                            .setUsername("carol")
                            .setPresence(PresenceState.OFFLINE)
                            .setBlocked(true)))
            .build());
    m.put(
        "set_presence",
        f(14).setSetPresence(SetPresence.newBuilder().setPresence(PresenceState.AWAY)).build());
    m.put(
        "presence_push",
        f(0).setPresencePush(
                PresencePush.newBuilder().setUsername("alice").setPresence(PresenceState.DND))
            .build());
    m.put("block", f(15).setBlock(Block.newBuilder().setUsername("carol")).build());
    m.put("unblock", f(16).setUnblock(Unblock.newBuilder().setUsername("carol")).build());
    m.put(
        "watch_presence",
        f(17)
            .setWatchPresence(
                WatchPresence.newBuilder().addUsernames("alice").addUsernames("carol"))
            .build());
    return m;
  }

  private static Frame.Builder f(long requestId) {
    return Frame.newBuilder().setRequestId(requestId);
  }

  private static KdfParams kdf(int memoryKib, int iterations, int parallelism) {
    return KdfParams.newBuilder()
        .setMemoryKib(memoryKib)
        .setIterations(iterations)
        .setParallelism(parallelism)
        .build();
  }

  private static SignedPreKey spk(int id, ByteString publicKey, ByteString signature) {
    return SignedPreKey.newBuilder()
        .setId(id)
        .setPublicKey(publicKey)
        .setSignature(signature)
        .build();
  }

  private static OneTimePreKey otpk(int id, ByteString publicKey) {
    return OneTimePreKey.newBuilder().setId(id).setPublicKey(publicKey).build();
  }

  static ByteString bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return ByteString.copyFrom(b);
  }

  static ByteString fill(int value, int length) {
    byte[] b = new byte[length];
    Arrays.fill(b, (byte) value);
    return ByteString.copyFrom(b);
  }

  private static ByteString range(int first, int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (first + i);
    }
    return ByteString.copyFrom(b);
  }
}
