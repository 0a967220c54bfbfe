package dev.sotto.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.sotto.wire.proto.Address;
import dev.sotto.wire.proto.Envelope;
import dev.sotto.wire.proto.EnvelopeType;
import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.KdfParams;
import dev.sotto.wire.proto.WatchPresence;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ValidationTest {
  private static AbstractThrowableAssert<?, ? extends Throwable> assertRejected(
      ThrowingCallable call, ErrorCode code) {
    return assertThatThrownBy(call)
        .isInstanceOfSatisfying(WireException.class, e -> assertThat(e.code()).isEqualTo(code));
  }

  private static Envelope.Builder envelope() {
    return Envelope.newBuilder()
        .setMessageId(SampleFrames.ID1)
        .setRecipient(SampleFrames.BOB1)
        .setType(EnvelopeType.MESSAGE)
        .setCiphertext(SampleFrames.fill(1, 100));
  }

  private static KdfParams kdf(int memoryKib, int iterations, int parallelism) {
    return KdfParams.newBuilder()
        .setMemoryKib(memoryKib)
        .setIterations(iterations)
        .setParallelism(parallelism)
        .build();
  }

  @Test
  void messageId_16Bytes_accepted() {
    assertThatCode(() -> Validation.messageId(SampleFrames.fill(0, 16))).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 15, 17, 32})
  void messageId_otherLength_rejectedSayingWhatWasExpected(int length) {
    assertRejected(
            () -> Validation.messageId(SampleFrames.fill(0, length)), ErrorCode.INVALID_REQUEST)
        .hasMessage("A message id must be 16 bytes, got " + length + ".");
  }

  @Test
  void authKey_32Accepted_31Rejected() {
    assertThatCode(() -> Validation.authKey(SampleFrames.fill(0, 32))).doesNotThrowAnyException();
    assertRejected(() -> Validation.authKey(SampleFrames.fill(0, 31)), ErrorCode.INVALID_REQUEST)
        .hasMessage("An auth key must be 32 bytes, got 31.");
  }

  @Test
  void serverId_16Accepted_emptyRejected() {
    assertThatCode(() -> Validation.serverId(SampleFrames.SERVER_ID)).doesNotThrowAnyException();
    assertRejected(() -> Validation.serverId(ByteString.EMPTY), ErrorCode.INVALID_REQUEST);
  }

  @Test
  void address_mixedCase_returnedCanonical() throws WireException {
    Address address = Address.newBuilder().setUser(" Bob ").setDeviceId(1).build();
    assertThat(Validation.address(address)).isEqualTo(SampleFrames.BOB1);
    assertThat(Validation.address(SampleFrames.BOB1)).isSameAs(SampleFrames.BOB1);
  }

  @Test
  void address_deviceIdZero_rejected() {
    Address address = Address.newBuilder().setUser("bob").build();
    assertRejected(() -> Validation.address(address), ErrorCode.INVALID_REQUEST)
        .hasMessageContaining("device id");
  }

  @Test
  void address_deviceIdHighBitSet_acceptedAsUnsigned() throws WireException {
    Address address = Address.newBuilder().setUser("bob").setDeviceId(-1).build();
    assertThat(Validation.address(address).getDeviceId()).isEqualTo(-1);
  }

  @Test
  void address_badUser_invalidUsername() {
    Address address = Address.newBuilder().setUser("b").setDeviceId(1).build();
    assertRejected(() -> Validation.address(address), ErrorCode.INVALID_USERNAME);
  }

  @Test
  void envelope_valid_accepted() {
    assertThatCode(() -> Validation.envelope(envelope().build())).doesNotThrowAnyException();
    assertThatCode(
            () ->
                Validation.envelope(
                    envelope()
                        .setSender(SampleFrames.ALICE1)
                        .setCiphertext(SampleFrames.fill(1, WireLimits.MAX_MESSAGE_BYTES))
                        .build()))
        .doesNotThrowAnyException();
  }

  @Test
  void envelope_ciphertextOverLimit_messageTooLarge() {
    Envelope big =
        envelope().setCiphertext(SampleFrames.fill(1, WireLimits.MAX_MESSAGE_BYTES + 1)).build();
    assertRejected(() -> Validation.envelope(big), ErrorCode.MESSAGE_TOO_LARGE)
        .hasMessageContaining(String.valueOf(WireLimits.MAX_MESSAGE_BYTES + 1))
        .hasMessageContaining("limit of " + WireLimits.MAX_MESSAGE_BYTES);
  }

  @Test
  void envelope_emptyCiphertext_rejected() {
    assertRejected(
        () -> Validation.envelope(envelope().setCiphertext(ByteString.EMPTY).build()),
        ErrorCode.INVALID_REQUEST);
  }

  @Test
  void envelope_missingRecipient_rejected() {
    assertRejected(
            () -> Validation.envelope(envelope().clearRecipient().build()),
            ErrorCode.INVALID_REQUEST)
        .hasMessageContaining("recipient");
  }

  @Test
  void envelope_unspecifiedOrUnknownType_rejected() {
    assertRejected(
        () -> Validation.envelope(envelope().setType(EnvelopeType.ENVELOPE_UNSPECIFIED).build()),
        ErrorCode.INVALID_REQUEST);
    assertRejected(
            () -> Validation.envelope(envelope().setTypeValue(9).build()),
            ErrorCode.INVALID_REQUEST)
        .hasMessageContaining("got 9");
  }

  @Test
  void envelope_badMessageIdOrSender_rejected() {
    assertRejected(
        () -> Validation.envelope(envelope().setMessageId(SampleFrames.fill(0, 8)).build()),
        ErrorCode.INVALID_REQUEST);
    assertRejected(
        () ->
            Validation.envelope(
                envelope().setSender(Address.newBuilder().setUser("alice")).build()),
        ErrorCode.INVALID_REQUEST);
  }

  @ParameterizedTest
  @CsvSource({"8192,1,1", "65536,3,1", "1048576,10,4"})
  void kdfParams_withinBounds_accepted(int memory, int iterations, int parallelism) {
    assertThatCode(() -> Validation.kdfParams(kdf(memory, iterations, parallelism)))
        .doesNotThrowAnyException();
  }

  @ParameterizedTest
  @CsvSource({
    "8191,3,1,memory",
    "1048577,3,1,memory",
    "-1,3,1,4294967295",
    "0,0,0,memory",
    "65536,0,1,iterations",
    "65536,11,1,iterations",
    "65536,3,0,parallelism",
    "65536,3,5,parallelism"
  })
  void kdfParams_outOfBounds_rejectedNamingTheParameter(
      int memory, int iterations, int parallelism, String mentioned) {
    assertRejected(
            () -> Validation.kdfParams(kdf(memory, iterations, parallelism)),
            ErrorCode.INVALID_REQUEST)
        .hasMessageContaining(mentioned)
        .hasMessageContaining("must be between");
  }

  @Test
  void clientName_64Accepted_65Rejected() {
    assertThatCode(() -> Validation.clientName("c".repeat(64))).doesNotThrowAnyException();
    assertRejected(() -> Validation.clientName("c".repeat(65)), ErrorCode.INVALID_REQUEST)
        .hasMessageContaining("at most 64");
  }

  @Test
  void password_countsCodePoints() {
    assertThatCode(() -> Validation.password("0123456789")).doesNotThrowAnyException();
    assertRejected(() -> Validation.password("012345678"), ErrorCode.INVALID_REQUEST)
        .hasMessageContaining("at least 10");
    // five emoji are ten UTF-16 chars but five characters
    assertRejected(() -> Validation.password("😀".repeat(5)), ErrorCode.INVALID_REQUEST)
        .hasMessageContaining("got 5");
  }

  @Test
  void register_sample_returnsCanonicalName() throws WireException {
    var register = SampleFrames.all().get("register").getRegister();
    assertThat(Validation.register(register.toBuilder().setUsername("BOB").build()))
        .isEqualTo("bob");
  }

  @Test
  void register_missingKdfOrShortKey_rejected() {
    var register = SampleFrames.all().get("register").getRegister();
    assertRejected(
            () -> Validation.register(register.toBuilder().clearKdfParams().build()),
            ErrorCode.INVALID_REQUEST)
        .hasMessageContaining("KDF");
    assertRejected(
        () -> Validation.register(register.toBuilder().setAuthKey(ByteString.EMPTY).build()),
        ErrorCode.INVALID_REQUEST);
    assertRejected(
        () -> Validation.register(register.toBuilder().setUsername("x").build()),
        ErrorCode.INVALID_USERNAME);
  }

  @Test
  void login_sampleAccepted_deviceZeroRejected() throws WireException {
    var login = SampleFrames.all().get("login").getLogin();
    assertThat(Validation.login(login)).isEqualTo("bob");
    assertRejected(
        () -> Validation.login(login.toBuilder().setDeviceId(0).build()),
        ErrorCode.INVALID_REQUEST);
  }

  @Test
  void changePassword_sampleAccepted_badPartsRejected() {
    var change = SampleFrames.all().get("change_password").getChangePassword();
    assertThatCode(() -> Validation.changePassword(change)).doesNotThrowAnyException();
    assertRejected(
        () -> Validation.changePassword(change.toBuilder().clearNewKdfParams().build()),
        ErrorCode.INVALID_REQUEST);
    assertRejected(
        () ->
            Validation.changePassword(
                change.toBuilder().setNewAuthKey(SampleFrames.fill(1, 33)).build()),
        ErrorCode.INVALID_REQUEST);
  }

  @Test
  void ackMessages_sampleAccepted_emptyOrBadIdRejected() {
    var ack = SampleFrames.all().get("ack_messages").getAckMessages();
    assertThatCode(() -> Validation.ackMessages(ack)).doesNotThrowAnyException();
    assertRejected(
        () -> Validation.ackMessages(ack.toBuilder().clearMessageIds().build()),
        ErrorCode.INVALID_REQUEST);
    assertRejected(
        () -> Validation.ackMessages(ack.toBuilder().addMessageIds(ByteString.EMPTY).build()),
        ErrorCode.INVALID_REQUEST);
  }

  @Test
  void watchPresence_namesNormalizedAndDeduplicated_inOrder() throws WireException {
    WatchPresence watch =
        WatchPresence.newBuilder()
            .addUsernames(" Carol ")
            .addUsernames("alice")
            .addUsernames("CAROL")
            .build();
    assertThat(Validation.watchPresence(watch)).containsExactly("carol", "alice");
    assertThat(Validation.watchPresence(WatchPresence.getDefaultInstance())).isEmpty();
  }

  @Test
  void watchPresence_atTheLimitAccepted_oneMoreRejected() throws WireException {
    WatchPresence.Builder watch = WatchPresence.newBuilder();
    for (int i = 0; i < WireLimits.MAX_WATCHED_USERS; i++) {
      watch.addUsernames("user" + i);
    }
    assertThat(Validation.watchPresence(watch.build())).hasSize(WireLimits.MAX_WATCHED_USERS);
    watch.addUsernames("one-more");
    assertRejected(() -> Validation.watchPresence(watch.build()), ErrorCode.INVALID_REQUEST)
        .hasMessage(
            "At most "
                + WireLimits.MAX_WATCHED_USERS
                + " users can be watched at once, got "
                + (WireLimits.MAX_WATCHED_USERS + 1)
                + ".");
  }

  @Test
  void watchPresence_badName_invalidUsername() {
    WatchPresence watch =
        WatchPresence.newBuilder().addUsernames("alice").addUsernames("x").build();
    assertRejected(() -> Validation.watchPresence(watch), ErrorCode.INVALID_USERNAME);
  }
}
