package dev.sotto.wire;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.Frame;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Encodes and decodes frames: a {@code u32} big-endian length of the body, then the body, one
 * protobuf {@link Frame}. The length counts the body only, never the four length bytes.
 *
 * <p>Decoding is split in two so that event-loop servers (Vert.x {@code RecordParser}) and blocking
 * clients ({@link FrameReader}) share the checks: {@link #decodeLength} validates the prefix before
 * any body byte is buffered, {@link #decodeBody} parses a complete body. Both reject bad input only
 * with {@link WireException}.
 */
public final class FrameCodec {
  /** Size of the length prefix. */
  public static final int LENGTH_BYTES = 4;

  private FrameCodec() {}

  /**
   * The length prefix and body of {@code frame}.
   *
   * @throws IllegalArgumentException if no body kind is set (a frame nobody can decode)
   */
  public static byte[] encode(Frame frame) {
    Objects.requireNonNull(frame, "frame");
    if (frame.getBodyCase() == Frame.BodyCase.BODY_NOT_SET) {
      throw new IllegalArgumentException("frame has no body");
    }
    int size = frame.getSerializedSize();
    byte[] out = new byte[LENGTH_BYTES + size];
    putLength(out, size);
    CodedOutputStream coded = CodedOutputStream.newInstance(out, LENGTH_BYTES, size);
    try {
      frame.writeTo(coded);
      coded.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("protobuf wrote a size other than it announced", e);
    }
    return out;
  }

  /**
   * Writes the encoding of {@code frame} to {@code out} (without flushing).
   *
   * @throws IOException if the stream fails
   */
  public static void write(OutputStream out, Frame frame) throws IOException {
    out.write(encode(frame));
  }

  /**
   * Reads the body length from the four bytes at {@code off}.
   *
   * @param maxFrame the largest body length allowed now (before or after login)
   * @return the body length, between 1 and {@code maxFrame}
   * @throws WireException {@code BAD_FRAME} for length 0, {@code FRAME_TOO_LARGE} above {@code
   *     maxFrame}
   * @throws IndexOutOfBoundsException if {@code b} has fewer than four bytes at {@code off}
   */
  public static int decodeLength(byte[] b, int off, int maxFrame) throws WireException {
    Objects.checkFromIndexSize(off, LENGTH_BYTES, b.length);
    long length =
        ((b[off] & 0xFFL) << 24)
            | ((b[off + 1] & 0xFFL) << 16)
            | ((b[off + 2] & 0xFFL) << 8)
            | (b[off + 3] & 0xFFL);
    if (length == 0) {
      throw new WireException(ErrorCode.BAD_FRAME, "A frame of length 0 carries nothing.");
    }
    if (length > maxFrame) {
      throw new WireException(
          ErrorCode.FRAME_TOO_LARGE,
          "A frame of " + length + " bytes is over the limit of " + maxFrame + " bytes.");
    }
    return (int) length;
  }

  /**
   * Parses one frame body.
   *
   * @return a frame whose body kind is set
   * @throws WireException {@code BAD_FRAME} if the bytes are not a protobuf {@code Frame} or carry
   *     no body kind this version knows
   * @throws IndexOutOfBoundsException if {@code off}/{@code len} lie outside {@code body}
   */
  public static Frame decodeBody(byte[] body, int off, int len) throws WireException {
    Objects.checkFromIndexSize(off, len, body.length);
    Frame frame;
    try {
      frame = Frame.parser().parseFrom(body, off, len);
    } catch (InvalidProtocolBufferException e) {
      throw new WireException(ErrorCode.BAD_FRAME, "The frame is not valid protobuf.", e);
    } catch (RuntimeException e) {
      // Defensive: protobuf documents only InvalidProtocolBufferException, but a parser bug on
      // hostile input must not escape as something the caller does not expect.
      throw new WireException(ErrorCode.BAD_FRAME, "The frame could not be parsed.", e);
    }
    if (frame.getBodyCase() == Frame.BodyCase.BODY_NOT_SET) {
      throw new WireException(
          ErrorCode.BAD_FRAME,
          "The frame carries no request, response or push this version knows.");
    }
    return frame;
  }

  static void putLength(byte[] out, int length) {
    out[0] = (byte) (length >>> 24);
    out[1] = (byte) (length >>> 16);
    out[2] = (byte) (length >>> 8);
    out[3] = (byte) length;
  }
}
