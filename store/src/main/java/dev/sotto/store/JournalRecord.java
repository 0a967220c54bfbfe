package dev.sotto.store;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * One journal record and its byte layout.
 *
 * <p>On disk: {@code u32 length | u32 CRC32C(payload) | payload}, big-endian. The payload is {@code
 * u64 seq | u8 kind | u32 opCount | op*}; an op is {@code u8 type (1 put, 2 delete) | u16 mapLength
 * | map (UTF-8) | u32 keyLength | key} followed, for a put, by {@code u32 valueLength | value}. A
 * {@link #BATCH} record is one batch (or one update's mutations); {@link #SNAPSHOT} records carry
 * the live state written by compaction, all with the snapshot's base sequence number.
 */
record JournalRecord(long seq, byte kind, List<Batch.Op> ops) {

  static final byte BATCH = 1;
  static final byte SNAPSHOT = 2;
  static final int HEADER_BYTES = 8;
  static final int MIN_PAYLOAD = 8 + 1 + 4;
  static final int MAX_MAP_NAME = 100;
  static final int MAX_KEY_BYTES = 64 * 1024;

  private static final byte PUT = 1;
  private static final byte DELETE = 2;

  /** Thrown when a payload whose CRC matched does not parse. */
  static final class MalformedRecordException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedRecordException(String message) {
      super(message, null, false, false);
    }
  }

  /** Checks a map name: 1-100 of {@code [A-Za-z0-9._/-]}. */
  static void checkMapName(String map) {
    if (!validMapName(map)) {
      throw new IllegalArgumentException(
          "map name must be 1-100 characters of [A-Za-z0-9._/-], got \"" + printable(map) + "\"");
    }
  }

  /**
   * Whether {@code map} is 1-100 of {@code [A-Za-z0-9._/-]} (a loop, not a regex: it runs for every
   * op of every write).
   */
  static boolean validMapName(String map) {
    int n = map.length();
    if (n < 1 || n > MAX_MAP_NAME) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = map.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '/'
              || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static String printable(String s) {
    String t = s.length() > 40 ? s.substring(0, 40) + "..." : s;
    return t.replaceAll("[^\\x20-\\x7e]", "?");
  }

  /** Size of an op inside a payload. */
  static long opBytes(Batch.Op op) {
    long n = 1 + 2 + op.map().length() + 4 + op.key().length;
    if (!op.isDelete()) {
      n += 4 + op.value().length;
    }
    return n;
  }

  /** Validates ops against the limits; returns the payload size. */
  static int checkOps(List<Batch.Op> ops, int maxOps, int maxRecordBytes) {
    if (ops.size() > maxOps) {
      throw new IllegalArgumentException(
          "a batch may hold at most " + maxOps + " operations, got " + ops.size());
    }
    long size = MIN_PAYLOAD;
    for (Batch.Op op : ops) {
      checkMapName(op.map());
      if (op.key().length > MAX_KEY_BYTES) {
        throw new IllegalArgumentException(
            "a key may be at most " + MAX_KEY_BYTES + " bytes, got " + op.key().length);
      }
      size += opBytes(op);
      if (size > maxRecordBytes) {
        throw new IllegalArgumentException(
            "a batch may encode to at most " + maxRecordBytes + " bytes; this one is larger");
      }
    }
    return (int) size;
  }

  /** Appends header and payload to {@code out}, which must have room. */
  static void encode(long seq, byte kind, List<Batch.Op> ops, int payloadSize, ByteBuffer out) {
    int start = out.position();
    out.putInt(payloadSize);
    out.putInt(0);
    int payloadStart = out.position();
    out.putLong(seq);
    out.put(kind);
    out.putInt(ops.size());
    for (Batch.Op op : ops) {
      out.put(op.isDelete() ? DELETE : PUT);
      byte[] map = op.map().getBytes(StandardCharsets.US_ASCII);
      out.putShort((short) map.length);
      out.put(map);
      out.putInt(op.key().length);
      out.put(op.key());
      if (!op.isDelete()) {
        out.putInt(op.value().length);
        out.put(op.value());
      }
    }
    if (out.position() - payloadStart != payloadSize) {
      throw new IllegalStateException("payload size mismatch");
    }
    CRC32C crc = new CRC32C();
    ByteBuffer view = out.duplicate();
    view.position(payloadStart).limit(out.position());
    crc.update(view);
    out.putInt(start + 4, (int) crc.getValue());
  }

  /** The CRC32C of {@code payload} from its position to its limit, as stored. */
  static int crc(ByteBuffer payload) {
    CRC32C crc = new CRC32C();
    crc.update(payload.duplicate());
    return (int) crc.getValue();
  }

  /** Parses a payload whose CRC matched. Every length is checked against what remains. */
  static JournalRecord decode(ByteBuffer p) throws MalformedRecordException {
    if (p.remaining() < MIN_PAYLOAD) {
      throw new MalformedRecordException("payload shorter than " + MIN_PAYLOAD + " bytes");
    }
    long seq = p.getLong();
    byte kind = p.get();
    if (kind != BATCH && kind != SNAPSHOT) {
      throw new MalformedRecordException("unknown record kind " + kind);
    }
    if (seq < 0) {
      throw new MalformedRecordException("negative sequence number");
    }
    int count = p.getInt();
    // each op takes at least 7 bytes, so a count larger than that cannot be honest
    if (count < 0
        || count > StoreOptions.OPS_PER_RECORD_LIMIT
        || (long) count * 7 > p.remaining()) {
      throw new MalformedRecordException("implausible op count " + count);
    }
    List<Batch.Op> ops = new ArrayList<>(count);
    var decoder =
        StandardCharsets.US_ASCII
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    for (int i = 0; i < count; i++) {
      need(p, 3, "op header");
      byte type = p.get();
      if (type != PUT && type != DELETE) {
        throw new MalformedRecordException("unknown op type " + type);
      }
      int mapLen = Short.toUnsignedInt(p.getShort());
      need(p, mapLen, "map name");
      ByteBuffer mapBytes = p.slice(p.position(), mapLen);
      p.position(p.position() + mapLen);
      String map;
      try {
        map = decoder.decode(mapBytes).toString();
      } catch (CharacterCodingException e) {
        throw new MalformedRecordException("map name is not ASCII");
      }
      if (!validMapName(map)) {
        throw new MalformedRecordException("invalid map name");
      }
      byte[] key = bytes(p, "key", MAX_KEY_BYTES);
      byte[] value = type == PUT ? bytes(p, "value", Integer.MAX_VALUE) : null;
      ops.add(new Batch.Op(map, key, value));
    }
    if (p.hasRemaining()) {
      throw new MalformedRecordException(p.remaining() + " trailing bytes after the last op");
    }
    return new JournalRecord(seq, kind, List.copyOf(ops));
  }

  private static void need(ByteBuffer p, int n, String what) throws MalformedRecordException {
    if (n < 0 || p.remaining() < n) {
      throw new MalformedRecordException(what + " runs past the end of the record");
    }
  }

  private static byte[] bytes(ByteBuffer p, String what, int max) throws MalformedRecordException {
    need(p, 4, what + " length");
    int len = p.getInt();
    if (len < 0 || len > max) {
      throw new MalformedRecordException(what + " length " + len + " out of range");
    }
    need(p, len, what);
    byte[] b = new byte[len];
    p.get(b);
    return b;
  }
}
