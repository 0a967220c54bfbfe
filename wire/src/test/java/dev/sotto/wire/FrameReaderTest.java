package dev.sotto.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.Ping;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrameReaderTest {
  private static final HexFormat HEX = HexFormat.of();

  /** Hands out at most a few bytes per read, sizes from a seeded random. */
  private static final class ChoppyInputStream extends InputStream {
    private final byte[] data;
    private final Random random;
    private int pos;

    ChoppyInputStream(byte[] data, long seed) {
      this.data = data;
      this.random = new Random(seed);
    }

    @Override
    public int read() {
      return pos < data.length ? data[pos++] & 0xFF : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (len == 0) {
        return 0;
      }
      if (pos >= data.length) {
        return -1;
      }
      int n = Math.min(Math.min(len, 1 + random.nextInt(7)), data.length - pos);
      System.arraycopy(data, pos, b, off, n);
      pos += n;
      return n;
    }
  }

  private static byte[] allSamples() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Frame frame : SampleFrames.all().values()) {
      FrameCodec.write(out, frame);
    }
    return out.toByteArray();
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 42, 1234})
  void read_splitReads_returnsEveryFrameThenNull(long seed) throws Exception {
    FrameReader reader =
        new FrameReader(
            new ChoppyInputStream(allSamples(), seed), WireLimits.MAX_FRAME_AFTER_LOGIN);
    List<Frame> read = new ArrayList<>();
    Frame frame;
    while ((frame = reader.read()) != null) {
      read.add(frame);
    }
    assertThat(read).containsExactlyElementsOf(SampleFrames.all().values());
    assertThat(reader.read()).isNull();
  }

  @Test
  void read_emptyStream_null() throws Exception {
    assertThat(new FrameReader(InputStream.nullInputStream(), 100).read()).isNull();
  }

  @Test
  void read_streamCutAtEveryOffset_eofException() throws Exception {
    byte[] ping = FrameCodec.encode(SampleFrames.all().get("welcome"));
    for (int cut = 1; cut < ping.length; cut++) {
      FrameReader reader =
          new FrameReader(
              new ByteArrayInputStream(ping, 0, cut), WireLimits.MAX_FRAME_BEFORE_LOGIN);
      int at = cut;
      assertThatThrownBy(reader::read).as("cut at %d", at).isInstanceOf(EOFException.class);
    }
  }

  @Test
  void read_maxLengthPrefix_frameTooLargeBeforeReadingBody() {
    // 2^32-1 announced, no body: rejected from the prefix alone, nothing allocated or awaited.
    FrameReader reader =
        new FrameReader(
            new ByteArrayInputStream(HEX.parseHex("ffffffff")), WireLimits.MAX_FRAME_AFTER_LOGIN);
    assertThatThrownBy(reader::read)
        .isInstanceOfSatisfying(
            WireException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE));
  }

  @Test
  void read_zeroLength_badFrame() {
    FrameReader reader = new FrameReader(new ByteArrayInputStream(new byte[4]), 100);
    assertThatThrownBy(reader::read)
        .isInstanceOfSatisfying(
            WireException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_FRAME));
  }

  @Test
  void setMaxFrame_raisedAfterLogin_acceptsLargerFrame() throws Exception {
    Frame big =
        Frame.newBuilder()
            .setSendMessage(
                dev.sotto.wire.proto.SendMessage.newBuilder()
                    .setEnvelope(
                        dev.sotto.wire.proto.Envelope.newBuilder()
                            .setCiphertext(SampleFrames.fill(7, 20_000))))
            .build();
    byte[] bytes = FrameCodec.encode(big);
    byte[] twice = new byte[bytes.length * 2];
    System.arraycopy(bytes, 0, twice, 0, bytes.length);
    System.arraycopy(bytes, 0, twice, bytes.length, bytes.length);

    FrameReader before =
        new FrameReader(new ByteArrayInputStream(twice), WireLimits.MAX_FRAME_BEFORE_LOGIN);
    assertThatThrownBy(before::read)
        .isInstanceOfSatisfying(
            WireException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE));

    FrameReader after =
        new FrameReader(new ByteArrayInputStream(twice), WireLimits.MAX_FRAME_BEFORE_LOGIN);
    after.setMaxFrame(WireLimits.MAX_FRAME_AFTER_LOGIN);
    assertThat(after.maxFrame()).isEqualTo(WireLimits.MAX_FRAME_AFTER_LOGIN);
    assertThat(after.read()).isEqualTo(big);
    assertThat(after.read()).isEqualTo(big);
  }

  @Test
  void setMaxFrame_zero_rejected() {
    FrameReader reader = new FrameReader(InputStream.nullInputStream(), 100);
    assertThatThrownBy(() -> reader.setMaxFrame(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void frameWriter_concurrentWriters_framesNeverInterleave() throws Exception {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    FrameWriter writer = new FrameWriter(sink);
    int threads = 4;
    int perThread = 200;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    writer.write(
                        Frame.newBuilder()
                            .setRequestId(thread * 1000L + i)
                            .setPing(Ping.newBuilder().setNonce(i))
                            .build());
                  }
                  return null;
                }));
      }
      for (Future<?> future : futures) {
        future.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    FrameReader reader =
        new FrameReader(
            new ByteArrayInputStream(sink.toByteArray()), WireLimits.MAX_FRAME_AFTER_LOGIN);
    int[] nextPerThread = new int[threads];
    Frame frame;
    int count = 0;
    while ((frame = reader.read()) != null) {
      int thread = (int) (frame.getRequestId() / 1000);
      assertThat(frame.getPing().getNonce()).isEqualTo(nextPerThread[thread]);
      nextPerThread[thread]++;
      count++;
    }
    assertThat(count).isEqualTo(threads * perThread);
  }
}
