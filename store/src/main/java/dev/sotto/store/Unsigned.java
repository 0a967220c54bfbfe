package dev.sotto.store;

import java.util.Arrays;
import java.util.Comparator;
import java.util.NavigableMap;

/** Unsigned lexicographic byte-array order and prefix ranges in it. */
final class Unsigned {
  static final Comparator<byte[]> ORDER = Arrays::compareUnsigned;

  private Unsigned() {}

  /** The smallest array greater than every array starting with {@code prefix}, or null. */
  static byte[] prefixEnd(byte[] prefix) {
    int i = prefix.length - 1;
    while (i >= 0 && prefix[i] == (byte) 0xFF) {
      i--;
    }
    if (i < 0) {
      return null;
    }
    byte[] end = Arrays.copyOf(prefix, i + 1);
    end[i]++;
    return end;
  }

  /**
   * The entries of {@code map} (ordered by {@link #ORDER}) whose key starts with {@code prefix}.
   */
  static <V> NavigableMap<byte[], V> prefixView(NavigableMap<byte[], V> map, byte[] prefix) {
    if (prefix.length == 0) {
      return map;
    }
    byte[] end = prefixEnd(prefix);
    return end == null ? map.tailMap(prefix, true) : map.subMap(prefix, true, end, false);
  }
}
