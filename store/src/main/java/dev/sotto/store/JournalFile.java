package dev.sotto.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reading and validating a journal file: an 8-byte magic, then {@link JournalRecord}s.
 *
 * <p>Validation rules. A record whose length is out of range, that runs past the end of the file,
 * or whose CRC32C does not match is <em>bad</em>. A bad record with no valid record anywhere after
 * it is a torn tail (a crash during an append, or garbage past the end) and is cut off. A bad
 * record followed by a valid one is corruption in the middle of the journal: opening is refused
 * with a message naming both offsets, because truncating there would silently drop acknowledged
 * writes that follow. A record whose CRC matches but that does not parse, or whose sequence number
 * goes backwards, is also refused (it was not written by this code).
 */
final class JournalFile {
  static final byte[] MAGIC = "SOTTOJ1\n".getBytes(StandardCharsets.US_ASCII);
  private static final int WINDOW = 1 << 20;

  private JournalFile() {}

  /**
   * What a scan found. {@code lastSeq} is {@code baseSeq} when there are no batch records. {@code
   * zeroTail} is how much of what follows {@code validEnd} is the file's trailing run of zero
   * bytes: space the writer filled with zeros ahead of its appends (see {@code JournaledStore}),
   * never written data, so not counted as torn.
   */
  record ScanResult(
      long validEnd,
      long fileSize,
      long records,
      long baseSeq,
      long lastSeq,
      boolean needsMagic,
      long zeroTail) {
    long tornBytes() {
      return fileSize - validEnd - zeroTail;
    }
  }

  /** Receives the valid records of a scan, in order. */
  interface Sink {
    void accept(JournalRecord record);
  }

  /**
   * Validates the whole file and passes each valid record to {@code sink} (which may be null).
   *
   * @throws StoreException on a bad magic, a corrupt record followed by valid ones, or an I/O error
   */
  static ScanResult scan(Path path, FileChannel ch, int maxRecordBytes, Sink sink) {
    try {
      return scan0(path, ch, maxRecordBytes, sink);
    } catch (IOException e) {
      throw new StoreException("cannot read journal " + path + ": " + e.getMessage(), e);
    }
  }

  private static ScanResult scan0(Path path, FileChannel ch, int maxRecordBytes, Sink sink)
      throws IOException {
    long size = ch.size();
    if (size < MAGIC.length) {
      byte[] head = read(ch, 0, (int) size).array();
      if (!Arrays.equals(head, Arrays.copyOf(MAGIC, head.length))) {
        throw new StoreException(path + " is not a Sotto journal (bad magic)");
      }
      return new ScanResult(0, size, 0, 0, 0, true, 0);
    }
    if (!Arrays.equals(read(ch, 0, MAGIC.length).array(), MAGIC)) {
      throw new StoreException(path + " is not a Sotto journal (bad magic)");
    }
    long pos = MAGIC.length;
    Window window = new Window(ch, size);
    long records = 0;
    long baseSeq = 0;
    long lastSeq = 0;
    boolean sawBatch = false;
    boolean sawSnapshot = false;
    while (pos < size) {
      String bad = null;
      JournalRecord record = null;
      int len = 0;
      if (size - pos < JournalRecord.HEADER_BYTES) {
        bad = "short record header";
      } else {
        ByteBuffer header = window.slice(pos, JournalRecord.HEADER_BYTES);
        len = header.getInt();
        int crc = header.getInt();
        if (len < JournalRecord.MIN_PAYLOAD || len > maxRecordBytes) {
          bad = "record length " + Integer.toUnsignedString(len) + " out of range";
        } else if (pos + JournalRecord.HEADER_BYTES + len > size) {
          bad = "record runs past the end of the file";
        } else {
          ByteBuffer payload = window.slice(pos + JournalRecord.HEADER_BYTES, len);
          if (JournalRecord.crc(payload) != crc) {
            bad = "CRC mismatch";
          } else {
            try {
              record = JournalRecord.decode(payload);
            } catch (JournalRecord.MalformedRecordException e) {
              throw new StoreException(
                  "journal "
                      + path
                      + " has a malformed record at offset "
                      + pos
                      + ": "
                      + e.getMessage()
                      + "; refusing to open");
            }
          }
        }
      }
      if (bad != null) {
        long next = findValidRecord(ch, pos + 1, size, maxRecordBytes);
        if (next >= 0) {
          throw new StoreException(
              "journal "
                  + path
                  + " is corrupt at offset "
                  + pos
                  + " ("
                  + bad
                  + ") but valid records follow at offset "
                  + next
                  + "; refusing to open rather than drop them. Keep a copy of the directory,"
                  + " then truncate the journal at offset "
                  + pos
                  + " to accept losing everything after it");
        }
        break; // torn tail
      }
      if (record.kind() == JournalRecord.SNAPSHOT) {
        if (sawBatch || (sawSnapshot && record.seq() != baseSeq)) {
          throw new StoreException(
              "journal "
                  + path
                  + " has a misplaced snapshot record at offset "
                  + pos
                  + "; refusing to open");
        }
        sawSnapshot = true;
        baseSeq = record.seq();
        lastSeq = baseSeq;
      } else {
        if (record.seq() <= lastSeq && (sawBatch || sawSnapshot || record.seq() == 0)) {
          throw new StoreException(
              "journal "
                  + path
                  + " has sequence number "
                  + record.seq()
                  + " after "
                  + lastSeq
                  + " at offset "
                  + pos
                  + "; refusing to open");
        }
        if (!sawBatch && !sawSnapshot) {
          baseSeq = record.seq() - 1;
        }
        sawBatch = true;
        lastSeq = record.seq();
      }
      records++;
      if (sink != null) {
        sink.accept(record);
      }
      pos += JournalRecord.HEADER_BYTES + len;
    }
    long zeroTail = pos < size ? Math.min(size - pos, trailingZeros(ch, size)) : 0;
    return new ScanResult(pos, size, records, baseSeq, lastSeq, false, zeroTail);
  }

  /**
   * Sequential reads through a 1 MiB buffer, so that a scan costs one read per megabyte rather than
   * two per record (a 14 MB journal took 0.7 s to validate on the loaded test machine with one read
   * per header and payload). Slices are valid until the next call.
   */
  private static final class Window {
    private final FileChannel ch;
    private final long size;
    private final ByteBuffer buf = ByteBuffer.allocate(WINDOW);
    private long start;
    private int length;

    Window(FileChannel ch, long size) {
      this.ch = ch;
      this.size = size;
    }

    /** {@code n} bytes at {@code pos}, which must lie within the file. */
    ByteBuffer slice(long pos, int n) throws IOException {
      if (n > WINDOW) {
        return read(ch, pos, n);
      }
      if (pos < start || pos + n > start + length) {
        int want = (int) Math.min(WINDOW, size - pos);
        buf.clear().limit(want);
        while (buf.hasRemaining()) {
          if (ch.read(buf, pos + buf.position()) < 0) {
            throw new IOException("unexpected end of file at " + (pos + buf.position()));
          }
        }
        start = pos;
        length = want;
      }
      return buf.slice((int) (pos - start), n);
    }
  }

  /** The offset of the first valid record at or after {@code from}, or -1. */
  /** The length of the run of zero bytes that ends the file. */
  static long trailingZeros(FileChannel ch, long size) throws IOException {
    long end = size;
    while (end > 0) {
      int n = (int) Math.min(64 * 1024, end);
      ByteBuffer b = read(ch, end - n, n);
      for (int i = n - 1; i >= 0; i--) {
        if (b.get(i) != 0) {
          return size - (end - n + i + 1);
        }
      }
      end -= n;
    }
    return size;
  }

  static long findValidRecord(FileChannel ch, long from, long size, int maxRecordBytes)
      throws IOException {
    long windowStart = -1;
    ByteBuffer window = null;
    for (long q = from; q + JournalRecord.HEADER_BYTES + JournalRecord.MIN_PAYLOAD <= size; q++) {
      if (window == null || q + JournalRecord.HEADER_BYTES > windowStart + window.limit()) {
        windowStart = q;
        window = read(ch, q, (int) Math.min(WINDOW, size - q));
      }
      int off = (int) (q - windowStart);
      int len = window.getInt(off);
      if (len < JournalRecord.MIN_PAYLOAD || len > maxRecordBytes) {
        continue;
      }
      if (q + JournalRecord.HEADER_BYTES + len > size) {
        continue;
      }
      int crc = window.getInt(off + 4);
      ByteBuffer payload;
      if (off + JournalRecord.HEADER_BYTES + len <= window.limit()) {
        payload = window.slice(off + JournalRecord.HEADER_BYTES, len);
      } else {
        payload = read(ch, q + JournalRecord.HEADER_BYTES, len);
      }
      if (JournalRecord.crc(payload) == crc) {
        try {
          JournalRecord.decode(payload.duplicate());
          return q;
        } catch (JournalRecord.MalformedRecordException e) {
          // a CRC match by chance inside garbage: keep looking
        }
      }
    }
    return -1;
  }

  static ByteBuffer read(FileChannel ch, long pos, int len) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(len);
    while (b.hasRemaining()) {
      int n = ch.read(b, pos + b.position());
      if (n < 0) {
        throw new IOException("unexpected end of file at " + (pos + b.position()));
      }
    }
    return b.flip();
  }

  static void writeFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
    long p = pos;
    while (b.hasRemaining()) {
      p += ch.write(b, p);
    }
  }

  /** Forces a directory so that a rename or a creation in it survives a power loss. */
  static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel d = FileChannel.open(dir, java.nio.file.StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // some platforms cannot open a directory; Linux can, and there a failure is real
      if (System.getProperty("os.name", "").startsWith("Linux")) {
        throw e;
      }
    }
  }
}
