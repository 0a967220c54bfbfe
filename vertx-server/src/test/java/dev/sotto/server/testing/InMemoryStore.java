package dev.sotto.server.testing;

import dev.sotto.store.Batch;
import dev.sotto.store.Store;
import dev.sotto.store.StoreException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A {@link Store} in memory for tests, with the real store's threading: one writer thread runs
 * every write and update in submission order and completes their futures on that thread; an update
 * function's changes apply only after it returns (it reads the state before its own writes). {@link
 * #failWrites} makes every later write fail as a full disk would.
 */
public final class InMemoryStore implements Store {
  private final Map<String, NavigableMap<byte[], byte[]>> maps = new HashMap<>();
  private final ExecutorService writer =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "in-memory-store-writer");
            t.setDaemon(true);
            return t;
          });
  private volatile boolean closed;
  private volatile boolean failWrites;
  private long commits;

  /** While {@code fail}, every write and update fails with a {@link StoreException}. */
  public void failWrites(boolean fail) {
    this.failWrites = fail;
  }

  private NavigableMap<byte[], byte[]> map(String name) {
    return maps.computeIfAbsent(name, n -> new TreeMap<>(Arrays::compareUnsigned));
  }

  @Override
  public synchronized Optional<byte[]> get(String map, byte[] key) {
    byte[] v = map(map).get(key);
    return Optional.ofNullable(v).map(byte[]::clone);
  }

  @Override
  public synchronized List<Entry> scan(String map, byte[] prefix, int limit) {
    return scan(map, prefix, prefix, limit);
  }

  private synchronized List<Entry> scan(String map, byte[] prefix, byte[] from, int limit) {
    List<Entry> out = new ArrayList<>();
    for (Map.Entry<byte[], byte[]> e : map(map).tailMap(from, true).entrySet()) {
      if (out.size() >= limit || !startsWith(e.getKey(), prefix)) {
        break;
      }
      out.add(new Entry(e.getKey().clone(), e.getValue().clone()));
    }
    return out;
  }

  private static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length
        && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }

  private synchronized void apply(List<Batch.Op> ops) {
    for (Batch.Op op : ops) {
      if (op.isDelete()) {
        map(op.map()).remove(op.key());
      } else {
        map(op.map()).put(op.key().clone(), op.value().clone());
      }
    }
    commits++;
  }

  /** Number of committed writes and updates. */
  public synchronized long commits() {
    return commits;
  }

  @Override
  public CompletableFuture<Void> write(Batch batch) {
    List<Batch.Op> ops = batch.ops();
    return update(
        txn -> {
          for (Batch.Op op : ops) {
            if (op.isDelete()) {
              txn.delete(op.map(), op.key());
            } else {
              txn.put(op.map(), op.key(), op.value());
            }
          }
          return null;
        });
  }

  @Override
  public <T> CompletableFuture<T> update(Function<Txn, T> fn) {
    CompletableFuture<T> f = new CompletableFuture<>();
    if (closed) {
      f.completeExceptionally(new StoreException("store closed"));
      return f;
    }
    writer.execute(
        () -> {
          if (failWrites) {
            f.completeExceptionally(new StoreException("disk full (test)"));
            return;
          }
          Batch batch = new Batch();
          T result;
          try {
            result =
                fn.apply(
                    new Txn() {
                      @Override
                      public Optional<byte[]> get(String map, byte[] key) {
                        return InMemoryStore.this.get(map, key);
                      }

                      @Override
                      public List<Entry> scan(String map, byte[] prefix, int limit) {
                        return InMemoryStore.this.scan(map, prefix, limit);
                      }

                      @Override
                      public List<Entry> scan(String map, byte[] prefix, byte[] from, int limit) {
                        return InMemoryStore.this.scan(map, prefix, from, limit);
                      }

                      @Override
                      public void put(String map, byte[] key, byte[] value) {
                        batch.put(map, key, value);
                      }

                      @Override
                      public void delete(String map, byte[] key) {
                        batch.delete(map, key);
                      }
                    });
          } catch (RuntimeException e) {
            f.completeExceptionally(e);
            return;
          }
          apply(batch.ops());
          f.complete(result);
        });
    return f;
  }

  @Override
  public CompletableFuture<Void> compact() {
    return update(txn -> null);
  }

  /** Every value of every map, for tests that look at what would be on disk. */
  public synchronized List<byte[]> allKeysAndValues() {
    List<byte[]> out = new ArrayList<>();
    for (NavigableMap<byte[], byte[]> m : maps.values()) {
      for (Map.Entry<byte[], byte[]> e : m.entrySet()) {
        out.add(e.getKey().clone());
        out.add(e.getValue().clone());
      }
    }
    return out;
  }

  @Override
  public void close() {
    closed = true;
    writer.shutdown();
    try {
      writer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
