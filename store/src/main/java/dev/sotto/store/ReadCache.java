package dev.sotto.store;

import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Small values read from MapDB, so that a key read again and again (a mailbox's usage counter, the
 * entry-id high-water mark) is not fetched from MapDB's file after every checkpoint. Under W1 load
 * every recipient's usage counter was read from MapDB once a second, right after the checkpoint
 * that wrote it, while the checkpointer held MapDB's locks: the writer thread waited there.
 *
 * <p>Consistency without locks on the read path: the checkpointer {@link #advance advances} a
 * generation before it writes MapDB, and each {@code View} remembers the generation it was made in.
 * A value read from MapDB is {@link #offer offered} with its view's generation and kept only if no
 * checkpoint has started since. A read reaches MapDB only for keys that are in neither memtable of
 * its view, so a checkpoint running during that read does not write the key (it writes only the
 * frozen memtable's keys), and a later one is refused by the generation. The checkpointer updates
 * (or drops) the cached copy of every key it writes.
 *
 * <p>It also remembers keys a read found absent from MapDB, under the same generation rule, so that
 * a key deleted again and again (a mailbox's usage counter, deleted whenever the mailbox empties)
 * costs neither the writer a MapDB read after each checkpoint nor the checkpointer a MapDB delete
 * of a key MapDB does not hold: in W1 the checkpointer's {@code BTreeMap.remove} of such keys took
 * about a seventh of its time. The checkpointer drops the mark of every key it puts. A key it
 * removes is not marked (most removed keys, delivered mail, are never seen again).
 */
final class ReadCache {
  /** Values longer than this are not kept (mail bodies are read once). */
  static final int MAX_VALUE_BYTES = 128;

  /** Entries kept at most; offers beyond are ignored until a key is dropped. */
  static final int MAX_ENTRIES = 1 << 16;

  private record Key(String map, ByteBuffer key) {}

  /** Keys known absent from MapDB kept at most; at this size the set starts again empty. */
  static final int MAX_ABSENT = 1 << 16;

  private final ConcurrentHashMap<Key, byte[]> values = new ConcurrentHashMap<>();
  private final Set<Key> absent = ConcurrentHashMap.newKeySet();
  private long generation; // guarded by this

  private static Key key(String map, byte[] key) {
    return new Key(map, ByteBuffer.wrap(key));
  }

  /** The cached value of {@code key} in {@code map} (not to be modified), or null. */
  byte[] get(String map, byte[] key) {
    return values.get(key(map, key));
  }

  /** The current generation, for a view made now. */
  synchronized long generation() {
    return generation;
  }

  /** Starts a checkpoint's writes to MapDB: values read before are no longer offered. */
  synchronized long advance() {
    return ++generation;
  }

  /**
   * Keeps {@code value}, read from MapDB through a view of generation {@code gen}, if still
   * current.
   */
  synchronized void offer(long gen, String map, byte[] key, byte[] value) {
    if (gen == generation && value.length <= MAX_VALUE_BYTES && values.size() < MAX_ENTRIES) {
      values.put(key(map, key.clone()), value.clone());
    }
  }

  /** Whether a read found {@code key} absent from MapDB and nothing has put it there since. */
  boolean knownAbsent(String map, byte[] key) {
    return absent.contains(key(map, key));
  }

  /**
   * Marks {@code key}, found absent from MapDB through a view of generation {@code gen}, if still
   * current.
   */
  synchronized void offerAbsent(long gen, String map, byte[] key) {
    if (gen == generation) {
      if (absent.size() >= MAX_ABSENT) {
        absent.clear();
      }
      absent.add(key(map, key.clone()));
    }
  }

  /**
   * The checkpointer wrote {@code value} (null: removed) for {@code key}: update a cached copy and
   * drop an absent mark. Called for every key it writes, before MapDB holds the value.
   */
  void written(String map, byte[] key, byte[] value) {
    Key k = key(map, key);
    if (value != null) {
      absent.remove(k);
    }
    if (value == null || value.length > MAX_VALUE_BYTES) {
      values.remove(k);
    } else {
      values.computeIfPresent(k, (kk, old) -> value.clone());
    }
  }

  /** Forgets everything (MapDB reopened or rebuilt). */
  synchronized void clear() {
    values.clear();
    absent.clear();
    generation++;
  }

  int size() {
    return values.size() + absent.size();
  }
}
