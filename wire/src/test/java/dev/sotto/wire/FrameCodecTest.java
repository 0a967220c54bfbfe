package dev.sotto.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.Ping;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class FrameCodecTest {
  private static final HexFormat HEX = HexFormat.of();

  static Stream<String> names() {
    return SampleFrames.all().keySet().stream();
  }

  private static Frame ping(long requestId, long nonce) {
    return Frame.newBuilder()
        .setRequestId(requestId)
        .setPing(Ping.newBuilder().setNonce(nonce))
        .build();
  }

  private static byte[] body(String name) {
    byte[] encoded = FrameCodec.encode(SampleFrames.all().get(name));
    return Arrays.copyOfRange(encoded, FrameCodec.LENGTH_BYTES, encoded.length);
  }

  private static ErrorCode codeOf(ThrowingCall call) {
    try {
      call.run();
    } catch (WireException e) {
      return e.code();
    }
    throw new AssertionError("expected a WireException");
  }

  interface ThrowingCall {
    void run() throws WireException;
  }

  @Test
  void encode_ping_matchesHandComputedBytes() {
    // length 6; 08 07 = request_id 7; 6a 02 = key 13<<3|2 (ping), 2 bytes; 08 2a = nonce 42
    assertThat(HEX.formatHex(FrameCodec.encode(ping(7, 42))))
        .isEqualTo("00000006" + "0807" + "6a02" + "082a");
  }

  @Test
  void encode_noBody_rejectedAsProgrammerError() {
    Frame empty = Frame.newBuilder().setRequestId(1).build();
    assertThatThrownBy(() -> FrameCodec.encode(empty)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @MethodSource("names")
  void decode_encoded_roundTrips(String name) throws WireException {
    Frame frame = SampleFrames.all().get(name);
    byte[] bytes = FrameCodec.encode(frame);
    int length = FrameCodec.decodeLength(bytes, 0, WireLimits.MAX_FRAME_BEFORE_LOGIN);
    assertThat(length).isEqualTo(bytes.length - 4);
    assertThat(FrameCodec.decodeBody(bytes, 4, length)).isEqualTo(frame);
  }

  @Test
  void decodeLength_atOffset_readsBigEndian() throws WireException {
    byte[] b = HEX.parseHex("ff" + "00000102" + "ff");
    assertThat(FrameCodec.decodeLength(b, 1, 1000)).isEqualTo(258);
  }

  @Test
  void decodeLength_zero_badFrame() {
    assertThat(codeOf(() -> FrameCodec.decodeLength(new byte[4], 0, 100)))
        .isEqualTo(ErrorCode.BAD_FRAME);
  }

  @Test
  void decodeLength_maxUnsigned_frameTooLargeWithPositiveLength() {
    byte[] b = HEX.parseHex("ffffffff");
    assertThatThrownBy(() -> FrameCodec.decodeLength(b, 0, WireLimits.MAX_FRAME_AFTER_LOGIN))
        .isInstanceOfSatisfying(
            WireException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE))
        .hasMessageContaining("4294967295")
        .hasMessageContaining("1048576");
  }

  @ParameterizedTest
  @ValueSource(ints = {WireLimits.MAX_FRAME_BEFORE_LOGIN, WireLimits.MAX_FRAME_AFTER_LOGIN})
  void decodeLength_limitAccepted_limitPlusOneRejected(int limit) throws WireException {
    byte[] atLimit = new byte[4];
    FrameCodec.putLength(atLimit, limit);
    assertThat(FrameCodec.decodeLength(atLimit, 0, limit)).isEqualTo(limit);
    byte[] over = new byte[4];
    FrameCodec.putLength(over, limit + 1);
    assertThat(codeOf(() -> FrameCodec.decodeLength(over, 0, limit)))
        .isEqualTo(ErrorCode.FRAME_TOO_LARGE);
  }

  @Test
  void decodeLength_fewerThanFourBytes_indexOutOfBounds() {
    assertThatThrownBy(() -> FrameCodec.decodeLength(new byte[5], 2, 100))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void decodeBody_noBodySet_badFrame() {
    byte[] requestIdOnly = HEX.parseHex("0807");
    assertThat(codeOf(() -> FrameCodec.decodeBody(requestIdOnly, 0, requestIdOnly.length)))
        .isEqualTo(ErrorCode.BAD_FRAME);
  }

  @Test
  void decodeBody_reservedRoomField_badFrame() {
    // key 100<<3|2 = 802 -> 0xa2 0x06, empty message: a reserved (future) kind, unknown today
    byte[] future = HEX.parseHex("0807" + "a20600");
    assertThat(codeOf(() -> FrameCodec.decodeBody(future, 0, future.length)))
        .isEqualTo(ErrorCode.BAD_FRAME);
  }

  @Test
  void decodeBody_garbage_badFrame() {
    byte[] garbage = HEX.parseHex("ffffffff");
    assertThat(codeOf(() -> FrameCodec.decodeBody(garbage, 0, garbage.length)))
        .isEqualTo(ErrorCode.BAD_FRAME);
  }

  @Test
  void decodeBody_deeplyNestedUnknownGroups_badFrame() {
    // 200 nested start-group keys of unknown field 1000 (1000<<3|3 = 8003 -> 0xc3 0x3e): past
    // protobuf's recursion limit, which must surface as BAD_FRAME, not a StackOverflowError.
    byte[] nested = new byte[2 + 400];
    nested[0] = 0x08;
    nested[1] = 0x01;
    for (int i = 0; i < 200; i++) {
      nested[2 + 2 * i] = (byte) 0xc3;
      nested[3 + 2 * i] = 0x3e;
    }
    assertThat(codeOf(() -> FrameCodec.decodeBody(nested, 0, nested.length)))
        .isEqualTo(ErrorCode.BAD_FRAME);
  }

  @ParameterizedTest
  @MethodSource("names")
  void decodeBody_truncatedAtEveryOffset_badFrame(String name) {
    byte[] body = body(name);
    for (int cut = 0; cut < body.length; cut++) {
      byte[] truncated = Arrays.copyOf(body, cut);
      int at = cut;
      assertThat(codeOf(() -> FrameCodec.decodeBody(truncated, 0, truncated.length)))
          .as("%s cut at %d", name, at)
          .isEqualTo(ErrorCode.BAD_FRAME);
    }
  }

  @ParameterizedTest
  @MethodSource("names")
  void decodeBody_everySingleBitFlip_differentFrameOrWireException(String name) {
    Frame original = SampleFrames.all().get(name);
    byte[] body = body(name);
    int rejected = 0;
    int lenient = 0;
    for (int bit = 0; bit < body.length * 8; bit++) {
      byte[] flipped = body.clone();
      flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      try {
        Frame decoded = FrameCodec.decodeBody(flipped, 0, flipped.length);
        assertThat(decoded.getBodyCase()).isNotEqualTo(Frame.BodyCase.BODY_NOT_SET);
        if (decoded.equals(original)) {
          // protobuf-java reads a bool as "varint != 0" (bits 1-6 of a final 0x01 are ignored)
          // and uses only bit 0 of the tenth byte of a uint64 varint (bits 1-7 are ignored).
          // Anything else that decodes to the same frame would be a real gap.
          assertThat(body[bit / 8]).as("%s bit %d", name, bit).isEqualTo((byte) 0x01);
          assertThat(bit % 8).as("%s bit %d", name, bit).isBetween(1, 7);
          lenient++;
        }
      } catch (WireException e) {
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_FRAME);
        rejected++;
      }
    }
    // Flipping the continuation bit of the body's length byte always breaks a frame.
    assertThat(rejected).as("%s: some flips are rejected", name).isPositive();
    assertThat(lenient).as("%s: flips that decode to the same frame", name).isLessThan(7 * 7);
  }

  @ParameterizedTest
  @MethodSource("names")
  void decodeLength_everyBitFlipOfPrefix_otherLengthOrWireException(String name) {
    byte[] encoded = FrameCodec.encode(SampleFrames.all().get(name));
    for (int bit = 0; bit < 32; bit++) {
      byte[] flipped = Arrays.copyOf(encoded, 4);
      flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      try {
        int length = FrameCodec.decodeLength(flipped, 0, WireLimits.MAX_FRAME_AFTER_LOGIN);
        assertThat(length).isNotEqualTo(encoded.length - 4).isBetween(1, 1 << 20);
      } catch (WireException e) {
        assertThat(e.code()).isIn(ErrorCode.BAD_FRAME, ErrorCode.FRAME_TOO_LARGE);
      }
    }
  }
}
