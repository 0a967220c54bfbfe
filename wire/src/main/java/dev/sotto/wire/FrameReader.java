package dev.sotto.wire;

import dev.sotto.wire.proto.Frame;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * Reads frames from a blocking stream, one at a time. Not thread-safe: one reader thread owns it.
 *
 * <p>The body buffer is allocated only after the length has passed {@link FrameCodec#decodeLength},
 * so a peer cannot make the reader hold more than {@code maxFrame} bytes.
 */
public final class FrameReader {
  private final InputStream in;
  private final byte[] lengthBytes = new byte[FrameCodec.LENGTH_BYTES];
  private volatile int maxFrame;

  /**
   * @param in the stream to read; the reader does not buffer beyond the current frame
   * @param maxFrame the largest body accepted, e.g. {@link WireLimits#MAX_FRAME_BEFORE_LOGIN}
   */
  public FrameReader(InputStream in, int maxFrame) {
    this.in = Objects.requireNonNull(in, "in");
    setMaxFrame(maxFrame);
  }

  /** Changes the largest body accepted from the next frame on (a client raises it after login). */
  public void setMaxFrame(int maxFrame) {
    if (maxFrame < 1) {
      throw new IllegalArgumentException("maxFrame must be at least 1, got " + maxFrame);
    }
    this.maxFrame = maxFrame;
  }

  /** The largest body currently accepted. */
  public int maxFrame() {
    return maxFrame;
  }

  /**
   * Blocks until one whole frame has arrived.
   *
   * @return the frame, or {@code null} if the stream ended cleanly between two frames
   * @throws EOFException if the stream ended inside a frame
   * @throws IOException if the stream fails
   * @throws WireException if the frame breaks the protocol; the stream is then out of step and
   *     should be closed
   */
  public Frame read() throws IOException, WireException {
    int got = in.readNBytes(lengthBytes, 0, lengthBytes.length);
    if (got == 0) {
      return null;
    }
    if (got < lengthBytes.length) {
      throw new EOFException("stream ended inside a frame's length prefix");
    }
    int length = FrameCodec.decodeLength(lengthBytes, 0, maxFrame);
    byte[] body = in.readNBytes(length);
    if (body.length < length) {
      throw new EOFException(
          "stream ended inside a frame body: " + body.length + " of " + length + " bytes");
    }
    return FrameCodec.decodeBody(body, 0, length);
  }
}
