package dev.sotto.server.account;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The stored byte form of an {@link Account}; the username is the key, not part of the value.
 *
 * <p>Layout, version 1 (70 bytes, big-endian): {@code u8 version = 1 || u8 flags (bit 0: disabled)
 * || i64 created_at_ms || u32 memory_kib || u32 iterations || u32 parallelism || 48-byte verifier}.
 * A new version adds a new layout beside this one; records are never rewritten in place just to
 * upgrade them.
 */
public final class AccountCodec {

  static final byte VERSION_1 = 1;
  static final int LENGTH_V1 = 1 + 1 + 8 + 4 + 4 + 4 + Verifier.ENCODED_BYTES;
  private static final int FLAG_DISABLED = 1;

  private AccountCodec() {}

  /** The store key of {@code username} (its UTF-8 bytes). */
  public static byte[] key(String username) {
    return username.getBytes(StandardCharsets.UTF_8);
  }

  /** Encodes everything but the username. */
  public static byte[] encode(Account account) {
    ByteBuffer out = ByteBuffer.allocate(LENGTH_V1);
    out.put(VERSION_1);
    out.put((byte) (account.disabled() ? FLAG_DISABLED : 0));
    out.putLong(account.createdAtMs());
    out.putInt(account.kdf().memoryKib());
    out.putInt(account.kdf().iterations());
    out.putInt(account.kdf().parallelism());
    out.put(account.verifier().toBytes());
    return out.array();
  }

  /**
   * Decodes a stored value.
   *
   * @throws IllegalArgumentException when {@code value} is not a valid record (wrong version,
   *     length, unknown flags or out-of-range parameters)
   */
  public static Account decode(String username, byte[] value) {
    if (value.length == 0 || value[0] != VERSION_1) {
      throw new IllegalArgumentException(
          "unknown account record version for " + username + ": expected 1");
    }
    if (value.length != LENGTH_V1) {
      throw new IllegalArgumentException(
          "expected " + LENGTH_V1 + "-byte account record, got " + value.length);
    }
    try {
      ByteBuffer in = ByteBuffer.wrap(value);
      in.get();
      int flags = in.get();
      if ((flags & ~FLAG_DISABLED) != 0) {
        throw new IllegalArgumentException("unknown account flags " + flags);
      }
      long createdAt = in.getLong();
      KdfParameters kdf = new KdfParameters(in.getInt(), in.getInt(), in.getInt());
      byte[] verifier = new byte[Verifier.ENCODED_BYTES];
      in.get(verifier);
      return new Account(
          username, kdf, Verifier.fromBytes(verifier), (flags & FLAG_DISABLED) != 0, createdAt);
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("truncated account record", e);
    }
  }
}
