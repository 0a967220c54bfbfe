package dev.sotto.store;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * A crash-safe key-value store of named maps with byte keys and byte values.
 *
 * <p>An append-only, CRC-checked journal is the source of truth; MapDB holds the queryable state
 * and is checkpointed together with the journal position. Every write is acknowledged (its future
 * completes) only after the group commit that contains it has been forced to disk, so a process
 * crash ({@code kill -9}) at any moment loses nothing that was acknowledged.
 *
 * <p>Reads ({@link #get}, {@link #scan}) see only durable state: a write becomes visible to readers
 * after it is acknowledged. Read-decide-write sequences whose outcome has an outside effect (hand
 * out a one-time prekey exactly once) go through {@link #update}, which runs on the single writer
 * thread.
 *
 * <p>The store knows nothing of chat; map names and key layouts belong to its users.
 */
public interface Store extends AutoCloseable {

  /** The durable value of {@code key} in {@code map}, or empty. */
  Optional<byte[]> get(String map, byte[] key);

  /**
   * Up to {@code limit} entries of {@code map} whose key starts with {@code prefix}, in unsigned
   * lexicographic key order.
   */
  List<Entry> scan(String map, byte[] prefix, int limit);

  /**
   * Journals {@code batch} atomically; the future completes once it is durable, or fails with a
   * {@link StoreException} (for example when the disk is full), in which case nothing of the batch
   * is applied.
   */
  CompletableFuture<Void> write(Batch batch);

  /**
   * Runs {@code fn} on the writer thread against the latest state (including writes not yet
   * durable), commits what it recorded in its {@link Txn} atomically, and completes with its result
   * after that commit is durable. {@code fn} must be quick and must not block.
   */
  <T> CompletableFuture<T> update(Function<Txn, T> fn);

  /**
   * As {@link #update(Function)}, with the returned future completed by a task run on {@code
   * completeOn} (an event loop that waits for it, so that its continuations need no further hop).
   * Updates given the same executor complete in the order they were committed. This default
   * completes through the executor after {@link #update(Function)}; a store may do better.
   */
  default <T> CompletableFuture<T> update(Function<Txn, T> fn, Executor completeOn) {
    CompletableFuture<T> out = new CompletableFuture<>();
    update(fn)
        .whenComplete(
            (v, e) -> {
              Runnable complete =
                  () -> {
                    if (e != null) {
                      out.completeExceptionally(e);
                    } else {
                      out.complete(v);
                    }
                  };
              try {
                completeOn.execute(complete);
              } catch (RuntimeException refused) {
                complete.run(); // a shut-down executor: answer here rather than never
              }
            });
    return out;
  }

  /** Rewrites the journal to hold only the live state, switching files by rename. */
  CompletableFuture<Void> compact();

  /**
   * Flushes, checkpoints MapDB and closes cleanly; the next open needs no replay. If MapDB fails to
   * take that checkpoint, the close still completes, since the journal holds every acknowledged
   * write: the next open then recovers (or rebuilds) MapDB from it.
   */
  @Override
  void close();

  /** One key-value pair; arrays are owned by the caller. */
  record Entry(byte[] key, byte[] value) {}

  /** The view a {@link #update} function reads and writes through. */
  interface Txn {
    Optional<byte[]> get(String map, byte[] key);

    List<Entry> scan(String map, byte[] prefix, int limit);

    /**
     * As {@link #scan(String, byte[], int)}, from the first key at or after {@code from} (which
     * must start with {@code prefix}): a reader that pages through a range resumes where it stopped
     * instead of reading the range from its start again.
     */
    List<Entry> scan(String map, byte[] prefix, byte[] from, int limit);

    void put(String map, byte[] key, byte[] value);

    void delete(String map, byte[] key);
  }
}
