package dev.sotto.server.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sotto.wire.FrameCodec;
import dev.sotto.wire.WireException;
import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.Ping;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {

  private final List<Frame> frames = new ArrayList<>();
  private final List<WireException> errors = new ArrayList<>();

  private FrameDecoder decoder(int max) {
    return new FrameDecoder(max, frames::add, errors::add);
  }

  private static Frame ping(long n) {
    return Frame.newBuilder().setRequestId(n).setPing(Ping.newBuilder().setNonce(n)).build();
  }

  private static byte[] length(long n) {
    return new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
  }

  @Test
  void frames_anyChunking_decodedInOrder() throws Exception {
    Random random = new Random(7);
    for (int round = 0; round < 50; round++) {
      frames.clear();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      for (int i = 0; i < 20; i++) {
        all.write(FrameCodec.encode(ping(i + 1)));
      }
      byte[] bytes = all.toByteArray();
      FrameDecoder d = decoder(16 * 1024);
      for (int off = 0; off < bytes.length; ) {
        int n = Math.min(bytes.length - off, 1 + random.nextInt(12));
        d.handle(Buffer.buffer().appendBytes(bytes, off, n));
        off += n;
      }
      assertThat(frames)
          .extracting(Frame::getRequestId)
          .containsExactly(
              1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L,
              20L);
      assertThat(errors).isEmpty();
    }
  }

  @Test
  void oversizedLength_refusedBeforeAnyBodyByte() {
    FrameDecoder d = decoder(16 * 1024);
    d.handle(Buffer.buffer(length(16 * 1024 + 1)));
    assertThat(errors)
        .singleElement()
        .extracting(WireException::code)
        .isEqualTo(ErrorCode.FRAME_TOO_LARGE);
    d.handle(Buffer.buffer(FrameCodec.encode(ping(1))));
    assertThat(frames).isEmpty();
    assertThat(errors).hasSize(1);
  }

  @Test
  void limitAtBoundary_andRaisedLimitAppliesToNextFrame() {
    FrameDecoder d = decoder(100);
    Frame small = ping(5);
    byte[] encoded = FrameCodec.encode(small);
    d.handle(Buffer.buffer(encoded));
    assertThat(frames).hasSize(1);
    d.setMaxFrame(1024 * 1024);
    d.handle(Buffer.buffer(length(200_000)));
    assertThat(errors).isEmpty();
    d = decoder(encoded.length - 4);
    d.handle(Buffer.buffer(encoded));
    assertThat(frames).hasSize(2);
    d = decoder(encoded.length - 5);
    d.handle(Buffer.buffer(encoded));
    assertThat(errors)
        .singleElement()
        .extracting(WireException::code)
        .isEqualTo(ErrorCode.FRAME_TOO_LARGE);
  }

  @Test
  void lengthZeroAndGarbage_badFrame() {
    decoder(1024).handle(Buffer.buffer(length(0)));
    byte[] garbage = new byte[] {0, 0, 0, 3, (byte) 0xff, (byte) 0xff, (byte) 0xff};
    decoder(1024).handle(Buffer.buffer(garbage));
    assertThat(errors)
        .extracting(WireException::code)
        .containsExactly(ErrorCode.BAD_FRAME, ErrorCode.BAD_FRAME);
    assertThat(frames).isEmpty();
  }

  @Test
  void pause_holdsFrames_resumeDelivers() {
    FrameDecoder d = decoder(1024);
    d.pause();
    d.handle(Buffer.buffer(FrameCodec.encode(ping(1))).appendBytes(FrameCodec.encode(ping(2))));
    assertThat(frames).isEmpty();
    d.resume();
    assertThat(frames).extracting(Frame::getRequestId).containsExactly(1L, 2L);
  }
}
