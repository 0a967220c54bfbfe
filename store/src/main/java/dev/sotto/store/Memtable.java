package dev.sotto.store;

import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Durable writes that are not yet checkpointed into MapDB: one concurrent sorted map per store map,
 * {@link Layer#TOMBSTONE} for a delete, the newest value of each key only.
 *
 * <p>Written only by the store's writer thread, after the journal force, under the visibility write
 * lock (so a reader sees a group entirely or not at all); read by any thread. Once the checkpointer
 * has frozen it, it is never written again.
 */
final class Memtable implements Layer {
  /** Rough per-entry cost of a skip-list node, its index share and the two arrays' headers. */
  static final int ENTRY_OVERHEAD = 96;

  private final ConcurrentHashMap<String, ConcurrentSkipListMap<byte[], byte[]>> maps =
      new ConcurrentHashMap<>();
  private volatile long bytes;
  private volatile long entries;

  @Override
  public NavigableMap<byte[], byte[]> map(String map) {
    return maps.get(map);
  }

  /** Writer thread only. */
  void apply(List<Batch.Op> ops) {
    long b = bytes;
    long n = entries;
    for (Batch.Op op : ops) {
      byte[] value = op.isDelete() ? TOMBSTONE : op.value();
      byte[] old =
          maps.computeIfAbsent(op.map(), k -> new ConcurrentSkipListMap<>(Unsigned.ORDER))
              .put(op.key(), value);
      if (old == null) {
        b += ENTRY_OVERHEAD + op.key().length + value.length;
        n++;
      } else {
        b += value.length - old.length;
      }
    }
    bytes = b;
    entries = n;
  }

  /** Estimated heap bytes held. */
  long bytes() {
    return bytes;
  }

  /** Distinct keys held (deletes included). */
  long entries() {
    return entries;
  }

  boolean isEmpty() {
    return entries == 0;
  }

  /** The maps, for the checkpointer (only once frozen). */
  Map<String, ConcurrentSkipListMap<byte[], byte[]>> maps() {
    return maps;
  }
}
