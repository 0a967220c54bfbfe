package dev.sotto.server.net;

import dev.sotto.wire.FrameCodec;
import dev.sotto.wire.WireException;
import dev.sotto.wire.proto.Frame;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.parsetools.RecordParser;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Cuts a byte stream into frames with a {@link RecordParser}: {@code newFixed(4)} for the length,
 * which is checked against the current limit before any body byte is buffered, then {@code
 * fixedSizeMode(length)} for the body. After the first error it ignores all further input: the
 * stream is out of step and the connection is to be closed.
 *
 * <p>Not thread-safe: it lives on its connection's event loop.
 */
public final class FrameDecoder implements Handler<Buffer> {

  private final RecordParser parser = RecordParser.newFixed(FrameCodec.LENGTH_BYTES);
  private final Consumer<Frame> frames;
  private final Consumer<WireException> errors;
  private int maxFrame;
  private boolean expectingLength = true;
  private boolean failed;

  /**
   * @param maxFrame the largest body accepted at first
   * @param frames receives each decoded frame
   * @param errors receives the first {@code BAD_FRAME} or {@code FRAME_TOO_LARGE}
   */
  public FrameDecoder(int maxFrame, Consumer<Frame> frames, Consumer<WireException> errors) {
    setMaxFrame(maxFrame);
    this.frames = Objects.requireNonNull(frames, "frames");
    this.errors = Objects.requireNonNull(errors, "errors");
    parser.handler(this::onRecord);
  }

  /** Changes the largest body accepted, from the next length prefix on. */
  public void setMaxFrame(int maxFrame) {
    if (maxFrame < 1) {
      throw new IllegalArgumentException("maxFrame must be at least 1, got " + maxFrame);
    }
    this.maxFrame = maxFrame;
  }

  /** Feeds bytes as they arrive. */
  @Override
  public void handle(Buffer bytes) {
    if (!failed) {
      parser.handle(bytes);
    }
  }

  /** Stops delivering frames (bytes still fed are kept) until {@link #resume}. */
  public void pause() {
    parser.pause();
  }

  /** Delivers frames again, at once if whole ones are buffered. */
  public void resume() {
    parser.resume();
  }

  private void onRecord(Buffer record) {
    if (failed) {
      return;
    }
    if (expectingLength) {
      int length;
      try {
        length = FrameCodec.decodeLength(record.getBytes(), 0, maxFrame);
      } catch (WireException e) {
        fail(e);
        return;
      }
      expectingLength = false;
      parser.fixedSizeMode(length);
      return;
    }
    expectingLength = true;
    parser.fixedSizeMode(FrameCodec.LENGTH_BYTES);
    Frame frame;
    try {
      frame = FrameCodec.decodeBody(record.getBytes(), 0, record.length());
    } catch (WireException e) {
      fail(e);
      return;
    }
    frames.accept(frame);
  }

  private void fail(WireException e) {
    failed = true;
    parser.pause();
    errors.accept(e);
  }
}
