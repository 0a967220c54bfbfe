package dev.sotto.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.sotto.wire.proto.Content;
import dev.sotto.wire.proto.Receipt;
import dev.sotto.wire.proto.SessionReset;
import dev.sotto.wire.proto.Text;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Exact bytes of the end-to-end {@code Content} kinds, against {@code golden/content.txt}. */
class ContentGoldenTest {
  private static final HexFormat HEX = HexFormat.of();

  static Map<String, Content> samples() {
    Map<String, Content> m = new LinkedHashMap<>();
    m.put("content_text", base().setText(Text.newBuilder().setBody("h\u00e9llo")).build());
    m.put("content_text_empty", base().setText(Text.getDefaultInstance()).build());
    m.put(
        "content_receipt",
        base()
            .setReceipt(
                Receipt.newBuilder()
                    .setKind(Receipt.Kind.READ)
                    .addMessageIds(SampleFrames.ID1)
                    .addMessageIds(SampleFrames.ID2))
            .build());
    m.put(
        "content_session_reset",
        base().setSessionReset(SessionReset.newBuilder().setReason("reset")).build());
    return m;
  }

  private static Content.Builder base() {
    return Content.newBuilder().setVersion(1).setSentAtMs(SampleFrames.T);
  }

  static Map<String, String> goldens() throws IOException {
    Map<String, String> goldens = new LinkedHashMap<>();
    try (InputStream in = ContentGoldenTest.class.getResourceAsStream("/golden/content.txt")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
        if (!line.isBlank() && !line.startsWith("#")) {
          String[] parts = line.trim().split(" ");
          goldens.put(parts[0], parts[1]);
        }
      }
    }
    return goldens;
  }

  static Stream<String> names() {
    return samples().keySet().stream();
  }

  @ParameterizedTest
  @MethodSource("names")
  void encode_sample_matchesGolden(String name) throws IOException {
    assertThat(HEX.formatHex(samples().get(name).toByteArray())).isEqualTo(goldens().get(name));
  }

  @ParameterizedTest
  @MethodSource("names")
  void parse_golden_equalsSample(String name) throws IOException {
    assertThat(Content.parseFrom(HEX.parseHex(goldens().get(name)))).isEqualTo(samples().get(name));
  }

  @Test
  void goldens_coverEveryBodyKind() throws IOException {
    assertThat(goldens().keySet()).containsExactlyElementsOf(samples().keySet());
    assertThat(samples().values().stream().map(Content::getBodyCase).distinct())
        .containsExactlyInAnyOrder(
            Content.BodyCase.TEXT, Content.BodyCase.RECEIPT, Content.BodyCase.SESSION_RESET);
  }

  @Test
  void parse_futureBodyKind_keptAsUnknownWithoutBody() throws InvalidProtocolBufferException {
    // version 2, then field 20 (reserved for rooms) = key 20<<3|2 = 162 -> a2 01, empty message
    Content future = Content.parseFrom(HEX.parseHex("0802" + "a20100"));
    assertThat(future.getVersion()).isEqualTo(2);
    assertThat(future.getBodyCase()).isEqualTo(Content.BodyCase.BODY_NOT_SET);
    assertThat(future.getUnknownFields().hasField(20)).isTrue();
  }
}
