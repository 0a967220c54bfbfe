package dev.sotto.store;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;

/**
 * One level of the state a read goes through: from the top, an {@link #update}'s own writes, the
 * writes of its group, the durable {@link Memtable}s, and at the bottom MapDB. A value identical to
 * {@link #TOMBSTONE} marks a delete that hides the levels below.
 */
interface Layer {
  /** Marks a deleted key in every layer above MapDB (compared by identity). */
  byte[] TOMBSTONE = new byte[0];

  /** The sorted entries of {@code map} in this layer (unsigned key order), or null. */
  NavigableMap<byte[], byte[]> map(String map);

  /**
   * The value of {@code key} in {@code map} in this layer ({@link #TOMBSTONE} for a delete), or
   * null.
   */
  default byte[] get(String map, byte[] key) {
    NavigableMap<byte[], byte[]> m = map(map);
    return m == null ? null : m.get(key);
  }

  /** Looks {@code key} up through {@code layers} (topmost first); returns a copy. */
  static Optional<byte[]> lookup(List<Layer> layers, String map, byte[] key) {
    for (Layer layer : layers) {
      byte[] v = layer.get(map, key);
      if (v != null) {
        return v == TOMBSTONE ? Optional.empty() : Optional.of(v.clone());
      }
    }
    return Optional.empty();
  }

  /**
   * Merges {@code layers} (topmost first) in unsigned key order: of equal keys the topmost wins,
   * and a winning {@link #TOMBSTONE} hides the key. Stops after {@code limit} live entries, so its
   * cost follows the entries returned (plus the tombstones skipped), not the size of the layers.
   */
  static List<Store.Entry> scan(List<Layer> layers, String map, byte[] prefix, int limit) {
    return scan(layers, map, prefix, prefix, limit);
  }

  /**
   * As {@link #scan(List, String, byte[], int)}, starting at the first key at or after {@code from}
   * (which must start with {@code prefix}).
   */
  static List<Store.Entry> scan(
      List<Layer> layers, String map, byte[] prefix, byte[] from, int limit) {
    List<Iterator<Map.Entry<byte[], byte[]>>> its = new ArrayList<>(layers.size());
    List<Map.Entry<byte[], byte[]>> heads = new ArrayList<>(layers.size());
    for (Layer layer : layers) {
      NavigableMap<byte[], byte[]> m = layer.map(map);
      if (m != null) {
        Iterator<Map.Entry<byte[], byte[]>> it =
            Unsigned.prefixView(m, prefix).tailMap(from, true).entrySet().iterator();
        its.add(it);
        heads.add(it.hasNext() ? it.next() : null);
      }
    }
    List<Store.Entry> out = new ArrayList<>(Math.min(limit, 1024));
    while (out.size() < limit) {
      int winner = -1;
      byte[] min = null;
      for (int i = 0; i < heads.size(); i++) {
        Map.Entry<byte[], byte[]> h = heads.get(i);
        if (h != null && (min == null || Unsigned.ORDER.compare(h.getKey(), min) < 0)) {
          min = h.getKey();
          winner = i;
        }
      }
      if (winner < 0) {
        break;
      }
      byte[] value = heads.get(winner).getValue();
      for (int i = 0; i < heads.size(); i++) {
        Map.Entry<byte[], byte[]> h = heads.get(i);
        if (h != null && Unsigned.ORDER.compare(h.getKey(), min) == 0) {
          Iterator<Map.Entry<byte[], byte[]>> it = its.get(i);
          heads.set(i, it.hasNext() ? it.next() : null);
        }
      }
      if (value != TOMBSTONE) {
        out.add(new Store.Entry(min.clone(), value.clone()));
      }
    }
    return out;
  }
}
