package dev.sotto.bench.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.CodedInputStream;
import dev.sotto.bench.abuse.RawClient.Reply;
import dev.sotto.wire.FrameCodec;
import dev.sotto.wire.WireException;
import dev.sotto.wire.WireLimits;
import dev.sotto.wire.proto.Error;
import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.Ping;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CatalogueTest {

  @ParameterizedTest
  @ValueSource(ints = {100, 127, 128, 129, 16_383, 16_384, 16_385, 1_048_576})
  void padded_hitsTheExactBodySize_andStillDecodes(int size) throws WireException {
    Frame ping = Frame.newBuilder().setRequestId(3).setPing(Ping.newBuilder().setNonce(5)).build();

    Frame padded = Catalogue.padded(ping.toBuilder(), size);

    assertThat(padded.getSerializedSize()).isEqualTo(size);
    Frame back = FrameCodec.decodeBody(padded.toByteArray(), 0, size);
    assertThat(back.getPing().getNonce()).isEqualTo(5);
    assertThat(back.getRequestId()).isEqualTo(3);
  }

  @Test
  void padded_smallerThanTheFrame_refused() {
    Frame ping = Frame.newBuilder().setRequestId(3).setPing(Ping.newBuilder().setNonce(5)).build();

    assertThatThrownBy(() -> Catalogue.padded(ping.toBuilder(), 2))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 127, 128, 300, 999 << 3 | 3, Integer.MAX_VALUE})
  void varint_readsBackAsProtobuf(int v) throws Exception {
    assertThat(CodedInputStream.newInstance(Catalogue.varint(v)).readRawVarint32()).isEqualTo(v);
  }

  @Test
  void lengthPrefix_isBigEndianUnsigned() throws WireException {
    assertThat(Catalogue.lengthPrefix(0xffffffffL)).containsExactly(0xff, 0xff, 0xff, 0xff);
    assertThat(Catalogue.lengthPrefix(16_385)).containsExactly(0, 0, 0x40, 0x01);
    assertThat(FrameCodec.decodeLength(Catalogue.lengthPrefix(16_384), 0, 16_384))
        .isEqualTo(WireLimits.MAX_FRAME_BEFORE_LOGIN);
  }

  @Test
  void frameBytes_matchesTheCodec() {
    Frame f = Frame.newBuilder().setRequestId(7).setPing(Ping.newBuilder().setNonce(42)).build();

    assertThat(Catalogue.frameBytes(f)).isEqualTo(FrameCodec.encode(f));
  }

  @Test
  void concat_keepsOrder() {
    assertThat(Catalogue.concat(new byte[] {1, 2}, new byte[] {3})).containsExactly(1, 2, 3);
    assertThat(Arrays.equals(Catalogue.concat(new byte[0], new byte[0]), new byte[0])).isTrue();
  }

  @Test
  void label_namesKindsCodesAndRetry() {
    Frame limited =
        Frame.newBuilder()
            .setError(Error.newBuilder().setCode(ErrorCode.RATE_LIMITED).setRetryAfterMs(100))
            .build();
    Frame taken =
        Frame.newBuilder().setError(Error.newBuilder().setCode(ErrorCode.USERNAME_TAKEN)).build();
    Frame pong = Frame.newBuilder().setPong(dev.sotto.wire.proto.Pong.getDefaultInstance()).build();

    assertThat(Catalogue.label(new Reply.Got(limited))).isEqualTo("RATE_LIMITED+retry");
    assertThat(Catalogue.label(new Reply.Got(taken))).isEqualTo("USERNAME_TAKEN");
    assertThat(Catalogue.label(new Reply.Got(pong))).isEqualTo("PONG");
    assertThat(Catalogue.label(new Reply.Closed("x"))).isEqualTo("CLOSED");
    assertThat(Catalogue.label(new Reply.Silent())).isEqualTo("SILENCE");
  }
}
