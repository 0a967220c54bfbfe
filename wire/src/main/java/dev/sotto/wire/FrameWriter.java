package dev.sotto.wire;

import dev.sotto.wire.proto.Frame;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Writes frames to a blocking stream. Thread-safe: each frame is written and flushed whole, so a
 * heartbeat thread and a sending thread can share one writer without interleaving bytes.
 */
public final class FrameWriter {
  private final OutputStream out;

  /**
   * @param out the stream to write to
   */
  public FrameWriter(OutputStream out) {
    this.out = Objects.requireNonNull(out, "out");
  }

  /**
   * Writes one frame and flushes.
   *
   * @throws IOException if the stream fails
   * @throws IllegalArgumentException if the frame has no body kind
   */
  public void write(Frame frame) throws IOException {
    byte[] bytes = FrameCodec.encode(frame);
    synchronized (this) {
      out.write(bytes);
      out.flush();
    }
  }
}
