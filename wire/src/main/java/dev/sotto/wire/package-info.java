/**
 * The Sotto wire protocol shared by server and client: framing ({@link dev.sotto.wire.FrameCodec},
 * {@link dev.sotto.wire.FrameReader}, {@link dev.sotto.wire.FrameWriter}), the limits of protocol
 * version 1 ({@link dev.sotto.wire.WireLimits}), the checks both sides apply to fields ({@link
 * dev.sotto.wire.Validation}, {@link dev.sotto.wire.Usernames}) and the error codes with their
 * sentences ({@link dev.sotto.wire.ErrorMessages}, {@link dev.sotto.wire.WireException}).
 *
 * <p>The messages themselves are generated from {@code sotto.proto} into {@code
 * dev.sotto.wire.proto}; {@code PROTOCOL.md} at the repository root describes every byte.
 */
package dev.sotto.wire;
