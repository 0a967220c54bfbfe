package dev.sotto.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.Ping;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
  private static final HexFormat HEX = HexFormat.of();

  private static Frame ping(long requestId, long nonce) {
    return Frame.newBuilder()
        .setRequestId(requestId)
        .setPing(Ping.newBuilder().setNonce(nonce))
        .build();
  }

  @Test
  void encode_ping_matchesHandComputedBytes() {
    // length 6; 08 07 = request_id 7; 6a 02 = field 13 length-delimited, 2 bytes; 08 2a = nonce 42
    assertThat(HEX.formatHex(FrameCodec.encode(ping(7, 42))))
        .isEqualTo("00000006" + "0807" + "6a02" + "082a");
  }

  @Test
  void decode_encodedPing_roundTrips() throws WireException {
    byte[] bytes = FrameCodec.encode(ping(7, 42));
    int length = FrameCodec.decodeLength(bytes, 0, WireLimits.MAX_FRAME_BEFORE_LOGIN);
    assertThat(length).isEqualTo(bytes.length - 4);
    assertThat(FrameCodec.decodeBody(bytes, 4, length)).isEqualTo(ping(7, 42));
  }

  @Test
  void decodeLength_zero_badFrame() {
    assertThatThrownBy(() -> FrameCodec.decodeLength(new byte[4], 0, 100))
        .isInstanceOfSatisfying(
            WireException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_FRAME));
  }

  @Test
  void decodeLength_overLimit_frameTooLarge() {
    byte[] b = HEX.parseHex("00004001");
    assertThatThrownBy(() -> FrameCodec.decodeLength(b, 0, WireLimits.MAX_FRAME_BEFORE_LOGIN))
        .isInstanceOfSatisfying(
            WireException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE));
  }

  @Test
  void decodeBody_noBodySet_badFrame() {
    byte[] requestIdOnly = HEX.parseHex("0807");
    assertThatThrownBy(() -> FrameCodec.decodeBody(requestIdOnly, 0, requestIdOnly.length))
        .isInstanceOfSatisfying(
            WireException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_FRAME));
  }

  @Test
  void decodeBody_garbage_badFrame() {
    byte[] garbage = HEX.parseHex("ffffffff");
    assertThatThrownBy(() -> FrameCodec.decodeBody(garbage, 0, garbage.length))
        .isInstanceOfSatisfying(
            WireException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_FRAME));
  }
}
