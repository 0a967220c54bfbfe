package dev.sotto.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sotto.wire.proto.Frame;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Exact bytes of every frame kind, compared with {@code golden/frames.txt}, which an independent
 * encoder ({@code golden/make_frames.py}, written from the protobuf encoding rules) produced. A few
 * are also spelled out here byte by byte.
 */
class FrameGoldenTest {
  private static final HexFormat HEX = HexFormat.of();

  static Map<String, String> goldens() {
    Map<String, String> goldens = new LinkedHashMap<>();
    try (InputStream in = FrameGoldenTest.class.getResourceAsStream("/golden/frames.txt");
        BufferedReader reader =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] parts = line.trim().split(" ");
        assertThat(parts).as("line %s", line).hasSize(2);
        assertThat(goldens.put(parts[0], parts[1])).as("duplicate %s", parts[0]).isNull();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return goldens;
  }

  static Stream<String> names() {
    return SampleFrames.all().keySet().stream();
  }

  @ParameterizedTest
  @MethodSource("names")
  void encode_sample_matchesGolden(String name) {
    Frame frame = SampleFrames.all().get(name);
    assertThat(HEX.formatHex(FrameCodec.encode(frame))).isEqualTo(goldens().get(name));
  }

  @ParameterizedTest
  @MethodSource("names")
  void decode_golden_equalsSample(String name) throws WireException {
    byte[] bytes = HEX.parseHex(goldens().get(name));
    int length = FrameCodec.decodeLength(bytes, 0, WireLimits.MAX_FRAME_AFTER_LOGIN);
    assertThat(length).isEqualTo(bytes.length - FrameCodec.LENGTH_BYTES);
    Frame decoded = FrameCodec.decodeBody(bytes, FrameCodec.LENGTH_BYTES, length);
    assertThat(decoded).isEqualTo(SampleFrames.all().get(name));
    assertThat(FrameCodec.encode(decoded)).isEqualTo(bytes);
  }

  @Test
  void goldens_coverEveryBodyKind_andEverySample() {
    Set<Frame.BodyCase> covered =
        SampleFrames.all().values().stream().map(Frame::getBodyCase).collect(Collectors.toSet());
    Set<Frame.BodyCase> all = EnumSet.allOf(Frame.BodyCase.class);
    all.remove(Frame.BodyCase.BODY_NOT_SET);
    assertThat(covered).containsExactlyInAnyOrderElementsOf(all);
    assertThat(goldens().keySet()).containsExactlyElementsOf(SampleFrames.all().keySet());
  }

  @Test
  void golden_setPresence_handChecked() {
    // 00000007  body length 7
    // 08 0e     key 1<<3|0 (request_id, varint), 14
    // 92 05     key 82<<3|2 = 658 = 0b101_0010010 -> varint 0x92 0x05 (set_presence,
    // length-delimited)
    // 02        2 bytes of SetPresence follow
    // 08 02     key 1<<3|0 (presence), AWAY = 2
    assertThat(goldens().get("set_presence"))
        .isEqualTo("00000007" + "080e" + "9205" + "02" + "0802");
  }

  @Test
  void golden_block_handChecked() {
    // 0000000c length 12; 08 0f request_id 15; a2 05 key 84<<3|2 = 674 -> 0xa2 0x05; 07 length;
    // 0a 05 "carol" key 1<<3|2, 5 bytes of UTF-8
    assertThat(goldens().get("block"))
        .isEqualTo("0000000c" + "080f" + "a205" + "07" + "0a05" + "6361726f6c");
  }

  @Test
  void golden_error_handChecked() {
    // 0000000f length 15; 08 05 request_id 5; 62 key 12<<3|2 (error); 0b 11 bytes:
    // 08 0e code RATE_LIMITED = 14; 12 04 "wait"; 18 dc 0b retry_after_ms 1500 = 0x5dc ->
    // low 7 bits 0x5c | 0x80 = 0xdc, then 1500 >> 7 = 11 = 0x0b
    assertThat(goldens().get("error"))
        .isEqualTo("0000000f" + "0805" + "62" + "0b" + "080e" + "120477616974" + "18dc0b");
  }

  @Test
  void golden_errorRetryZero_keepsExplicitOptionalZero() throws WireException {
    // retry_after_ms is `optional`: an explicit 0 is sent (18 00) and survives decoding.
    byte[] bytes = HEX.parseHex(goldens().get("error_retry_zero"));
    Frame frame = FrameCodec.decodeBody(bytes, 4, bytes.length - 4);
    assertThat(frame.getError().hasRetryAfterMs()).isTrue();
    assertThat(HEX.formatHex(Arrays.copyOfRange(bytes, bytes.length - 2, bytes.length)))
        .isEqualTo("1800");
  }

  @Test
  void golden_pingMaxRequestId_tenByteVarint() {
    // uint64 2^64-1: nine bytes 0xff (7 bits each, continuation set) and a final 0x01.
    assertThat(goldens().get("ping_max_request_id"))
        .isEqualTo("0000000d" + "08" + "ffffffffffffffffff01" + "6a00");
  }
}
