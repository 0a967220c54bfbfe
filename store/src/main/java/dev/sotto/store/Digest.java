package dev.sotto.store;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * An order-independent digest of a store's contents: the entry count, the byte count and the sum
 * (mod 2^64) of a 64-bit hash of every (map, key, value). Kept up to date on every put and delete
 * and recorded with each checkpoint, so that a walk after a crash detects a MapDB file that reads
 * without error but lost or changed entries. It detects accidents, not an adversary.
 */
final class Digest {
  long hash;
  long count;
  long bytes;

  void set(long hash, long count, long bytes) {
    this.hash = hash;
    this.count = count;
    this.bytes = bytes;
  }

  void add(String map, byte[] key, byte[] value) {
    hash += entryHash(map, key, value);
    count++;
    bytes += size(map, key, value);
  }

  void remove(String map, byte[] key, byte[] value) {
    hash -= entryHash(map, key, value);
    count--;
    bytes -= size(map, key, value);
  }

  static long size(String map, byte[] key, byte[] value) {
    return map.length() + key.length + value.length + 16L;
  }

  static long entryHash(String map, byte[] key, byte[] value) {
    byte[] m = map.getBytes(StandardCharsets.US_ASCII);
    CRC32C a = new CRC32C();
    CRC32 b = new CRC32();
    a.update(m);
    b.update(m);
    long lengths = ((long) m.length << 48) ^ ((long) key.length << 24) ^ value.length;
    a.update(key);
    b.update(key);
    a.update(0);
    b.update(0xFF);
    a.update(value);
    b.update(value);
    return mix((a.getValue() << 32) ^ b.getValue() ^ lengths * 0x9E3779B97F4A7C15L);
  }

  /** The splitmix64 finaliser. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
