package dev.sotto.server.account;

import dev.sotto.store.Batch;
import dev.sotto.store.Store;
import dev.sotto.store.StoreException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A {@link Store} in memory for unit tests: one writer thread runs writes and updates in order (as
 * the journaled store does), futures complete on that thread, reads see only completed writes.
 * {@link #failWrites} makes every later write fail as a full disk would.
 */
final class InMemoryStore implements Store {

  private final Map<String, TreeMap<byte[], byte[]>> maps = new ConcurrentHashMap<>();
  private final ExecutorService writer = Executors.newSingleThreadExecutor();
  private volatile boolean failWrites;

  void failWrites(boolean fail) {
    this.failWrites = fail;
  }

  private TreeMap<byte[], byte[]> map(String name) {
    return maps.computeIfAbsent(name, n -> new TreeMap<>(Arrays::compareUnsigned));
  }

  @Override
  public synchronized Optional<byte[]> get(String map, byte[] key) {
    return Optional.ofNullable(map(map).get(key)).map(byte[]::clone);
  }

  @Override
  public synchronized List<Entry> scan(String map, byte[] prefix, int limit) {
    List<Entry> out = new ArrayList<>();
    for (Map.Entry<byte[], byte[]> e : map(map).tailMap(prefix, true).entrySet()) {
      if (out.size() >= limit
          || e.getKey().length < prefix.length
          || !Arrays.equals(e.getKey(), 0, prefix.length, prefix, 0, prefix.length)) {
        break;
      }
      out.add(new Entry(e.getKey().clone(), e.getValue().clone()));
    }
    return out;
  }

  @Override
  public CompletableFuture<Void> write(Batch batch) {
    return CompletableFuture.supplyAsync(
        () -> {
          if (failWrites) {
            throw new StoreException("disk full (test)");
          }
          synchronized (this) {
            for (Batch.Op op : batch.ops()) {
              if (op.isDelete()) {
                map(op.map()).remove(op.key());
              } else {
                map(op.map()).put(op.key(), op.value());
              }
            }
          }
          return null;
        },
        writer);
  }

  @Override
  public <T> CompletableFuture<T> update(Function<Txn, T> fn) {
    return CompletableFuture.supplyAsync(
        () -> {
          if (failWrites) {
            throw new StoreException("disk full (test)");
          }
          T result;
          synchronized (this) {
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
                      public void put(String map, byte[] key, byte[] value) {
                        map(map).put(key.clone(), value.clone());
                      }

                      @Override
                      public void delete(String map, byte[] key) {
                        map(map).remove(key);
                      }
                    });
          }
          return result;
        },
        writer);
  }

  @Override
  public CompletableFuture<Void> compact() {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public void close() {
    writer.shutdown();
  }
}
