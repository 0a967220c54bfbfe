package dev.sotto.store;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A Bloom filter of the (map, key) pairs in MapDB, so that a read of a key MapDB does not hold, and
 * the checkpoint of a delete of such a key, never descend MapDB's B-tree (through the file: every
 * node is a {@code pread}, and the checkpointer holds MapDB's locks while it writes).
 *
 * <p>Why it pays: most keys the server reads are new (a message id's idempotency record, looked up
 * before it is written), and most of what it deletes never reached MapDB (a mailbox entry stored
 * and acked within one checkpoint interval leaves a put and a tombstone in the memtable, which
 * collapse to the tombstone). Measured under W1 load before this filter: the checkpointer spent a
 * third of the server's CPU in such B-tree descents.
 *
 * <p>Contract: no false negatives. Every key is {@link #add added} before MapDB's put of it, by the
 * only thread that writes MapDB (the checkpointer, or recovery before the threads start). Deletes
 * never clear bits, so the false-positive rate grows with the keys ever added; {@link #saturated}
 * tells the checkpointer to build a fresh filter from MapDB's current keys (sized for them).
 *
 * <p>The hash is a seeded 64-bit mix (not a cryptographic primitive; the seed is random per process
 * so that nobody can choose message ids that collide in it). A collision only makes a lookup fall
 * through to MapDB, never a wrong answer. Bits are read and set through an {@link AtomicLongArray},
 * so a reader on another thread never sees a torn word.
 */
final class KeyFilter {
  /** Bits per key at capacity: about 1% false positives with {@link #HASHES} probes. */
  static final int BITS_PER_KEY = 10;

  static final int HASHES = 7;

  /** The smallest capacity built, in keys (80 KiB of bits). */
  static final long MIN_CAPACITY = 1 << 16;

  /**
   * The largest filter built, in keys: 2^25 keys take 40 MiB of heap. Past it the filter is kept as
   * it is and its false-positive rate rises (reads fall through to MapDB more often: slower, never
   * wrong).
   */
  static final long MAX_CAPACITY = 1L << 25;

  /** {@link #MIN_CAPACITY}, lowered by tests that need a filter to saturate quickly. */
  static volatile long minCapacity = MIN_CAPACITY;

  private static final long SEED = new SecureRandom().nextLong();
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

  private final AtomicLongArray words;
  private final long bits;
  private final long capacity;
  private long added; // checkpointer only

  private KeyFilter(long capacity) {
    this.capacity = capacity;
    long words = Math.max(1, (capacity * BITS_PER_KEY + 63) / 64);
    this.words = new AtomicLongArray((int) words);
    this.bits = words * 64;
  }

  /** An empty filter for about {@code expectedKeys} keys, with room to grow to twice that. */
  static KeyFilter forKeys(long expectedKeys) {
    long cap = Math.min(MAX_CAPACITY, Math.max(minCapacity, 2 * Math.max(0, expectedKeys)));
    return new KeyFilter(cap);
  }

  /** Records that MapDB may hold {@code key} in {@code map}. One writer thread at a time. */
  void add(String map, byte[] key) {
    long h = hash(map, key);
    long h1 = h;
    long h2 = Long.rotateLeft(h, 32) | 1;
    for (int i = 0; i < HASHES; i++) {
      long bit = Long.remainderUnsigned(h1 + i * h2, bits);
      int w = (int) (bit >>> 6);
      long mask = 1L << (bit & 63);
      long old = words.get(w);
      if ((old & mask) == 0) {
        words.getAndAccumulate(w, mask, (a, b) -> a | b);
      }
    }
    added++;
  }

  /** False only if MapDB cannot hold {@code key} in {@code map}. Any thread. */
  boolean mightContain(String map, byte[] key) {
    long h = hash(map, key);
    long h1 = h;
    long h2 = Long.rotateLeft(h, 32) | 1;
    for (int i = 0; i < HASHES; i++) {
      long bit = Long.remainderUnsigned(h1 + i * h2, bits);
      if ((words.get((int) (bit >>> 6)) & (1L << (bit & 63))) == 0) {
        return false;
      }
    }
    return true;
  }

  /** More keys added than the filter was sized for: time to build a fresh one. */
  boolean saturated() {
    return added > capacity && capacity < MAX_CAPACITY;
  }

  long capacity() {
    return capacity;
  }

  long added() {
    return added;
  }

  /** A 64-bit mix of the map name and the key (murmur3's finaliser over 8-byte words). */
  static long hash(String map, byte[] key) {
    long h = SEED ^ fmix(map.hashCode() + 0x9E3779B97F4A7C15L);
    return fmix(mixInto(h, key));
  }

  private static long mixInto(long h, byte[] data) {
    ByteBuffer b = ByteBuffer.wrap(data).order(LE);
    while (b.remaining() >= 8) {
      h = Long.rotateLeft(h ^ fmix(b.getLong()), 27) * 5 + 0x52DCE729;
    }
    long tail = 0;
    int shift = 0;
    while (b.hasRemaining()) {
      tail |= (b.get() & 0xFFL) << shift;
      shift += 8;
    }
    return Long.rotateLeft(h ^ fmix(tail ^ data.length), 27) * 5 + 0x38495AB5;
  }

  private static long fmix(long k) {
    k ^= k >>> 33;
    k *= 0xFF51AFD7ED558CCDL;
    k ^= k >>> 33;
    k *= 0xC4CEB9FE1A85EC53L;
    k ^= k >>> 33;
    return k;
  }
}
