package dev.sotto.server.testing;

import dev.sotto.store.Batch;
import dev.sotto.store.Store;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A {@link Store} that passes every call to another; tests override {@link #update} to change when
 * an update runs or when its answer arrives, and {@link #txn} to watch what it reads.
 */
public abstract class ForwardingStore implements Store {
  protected final Store delegate;

  protected ForwardingStore(Store delegate) {
    this.delegate = delegate;
  }

  /** The view an update function is given; by default the delegate's own. */
  protected Txn txn(Txn inner) {
    return inner;
  }

  @Override
  public <T> CompletableFuture<T> update(Function<Txn, T> fn) {
    return delegate.update(t -> fn.apply(txn(t)));
  }

  @Override
  public Optional<byte[]> get(String map, byte[] key) {
    return delegate.get(map, key);
  }

  @Override
  public List<Entry> scan(String map, byte[] prefix, int limit) {
    return delegate.scan(map, prefix, limit);
  }

  @Override
  public CompletableFuture<Void> write(Batch batch) {
    return delegate.write(batch);
  }

  @Override
  public CompletableFuture<Void> compact() {
    return delegate.compact();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
