package dev.sotto.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.Frame;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;

/**
 * Jazzer fuzz tests of the decoder: only {@link WireException} (with a framing code) may come out
 * of it for any input. In {@code mvn test} they run in regression mode over the seeds under {@code
 * src/test/resources/dev/sotto/wire/FrameCodecFuzzTestInputs/<method>/}; fuzz with {@code
 * JAZZER_FUZZ=1 mvn -pl wire test -Dtest=FrameCodecFuzzTest} (new corpus entries land in the
 * git-ignored {@code .cifuzz-corpus/}; this used over 3 GB of memory in 20 s on the team machine).
 */
class FrameCodecFuzzTest {

  /** One frame: length prefix, then whatever body bytes are there. */
  @FuzzTest(maxDuration = "30s")
  void decodeFrame(byte[] data) throws IOException {
    try {
      if (data.length < FrameCodec.LENGTH_BYTES) {
        FrameCodec.decodeBody(data, 0, data.length);
        return;
      }
      int length = FrameCodec.decodeLength(data, 0, WireLimits.MAX_FRAME_BEFORE_LOGIN);
      assertThat(length).isBetween(1, WireLimits.MAX_FRAME_BEFORE_LOGIN);
      int available = Math.min(length, data.length - FrameCodec.LENGTH_BYTES);
      Frame frame = FrameCodec.decodeBody(data, FrameCodec.LENGTH_BYTES, available);
      assertThat(frame.getBodyCase()).isNotEqualTo(Frame.BodyCase.BODY_NOT_SET);
      // Whatever decodes re-encodes to a frame that decodes to the same value.
      byte[] again = FrameCodec.encode(frame);
      assertThat(FrameCodec.decodeBody(again, 4, again.length - 4)).isEqualTo(frame);
    } catch (WireException e) {
      assertThat(e.code()).isIn(ErrorCode.BAD_FRAME, ErrorCode.FRAME_TOO_LARGE);
      assertThat(e.getMessage()).isNotBlank();
    }
  }

  /** A stream of frames through {@link FrameReader}, raising the limit after the first frame. */
  @FuzzTest(maxDuration = "30s")
  void readStream(byte[] data) throws IOException {
    FrameReader reader =
        new FrameReader(new ByteArrayInputStream(data), WireLimits.MAX_FRAME_BEFORE_LOGIN);
    int frames = 0;
    try {
      while (reader.read() != null) {
        frames++;
        reader.setMaxFrame(WireLimits.MAX_FRAME_AFTER_LOGIN);
      }
    } catch (WireException e) {
      assertThat(e.code()).isIn(ErrorCode.BAD_FRAME, ErrorCode.FRAME_TOO_LARGE);
    } catch (EOFException e) {
      // a frame cut short by the end of the input: expected
    }
    assertThat(frames).isLessThanOrEqualTo(data.length / 5);
  }
}
