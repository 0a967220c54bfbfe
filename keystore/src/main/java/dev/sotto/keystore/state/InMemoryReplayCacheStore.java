package dev.sotto.keystore.state;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link ReplayCacheStore} in memory, for tests. */
public final class InMemoryReplayCacheStore implements ReplayCacheStore {
  private record Owners(int signedPreKeyId, int kemPreKeyId) {}

  private final Map<ByteBuffer, Owners> entries = new ConcurrentHashMap<>();
  private final int capacity;

  /** A cache with {@link #DEFAULT_CAPACITY}. */
  public InMemoryReplayCacheStore() {
    this(DEFAULT_CAPACITY);
  }

  /**
   * A cache bounded at {@code capacity} entries.
   *
   * @throws IllegalArgumentException if {@code capacity < 1}
   */
  public InMemoryReplayCacheStore(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("expected a capacity of at least 1, got " + capacity);
    }
    this.capacity = capacity;
  }

  @Override
  public boolean containsReplayId(byte[] replayId) {
    return entries.containsKey(ByteBuffer.wrap(replayId.clone()));
  }

  @Override
  public void addReplayId(byte[] replayId, int signedPreKeyId, int kemPreKeyId) {
    entries.put(ByteBuffer.wrap(replayId.clone()), new Owners(signedPreKeyId, kemPreKeyId));
  }

  @Override
  public void removeForSignedPreKey(int signedPreKeyId) {
    entries.values().removeIf(o -> o.signedPreKeyId() == signedPreKeyId);
  }

  @Override
  public void removeForKemPreKey(int kemPreKeyId) {
    entries.values().removeIf(o -> o.kemPreKeyId() == kemPreKeyId);
  }

  @Override
  public int size() {
    return entries.size();
  }

  @Override
  public Map<Integer, Integer> countsBySignedPreKey() {
    Map<Integer, Integer> counts = new HashMap<>();
    for (Owners o : entries.values()) {
      counts.merge(o.signedPreKeyId(), 1, Integer::sum);
    }
    return Map.copyOf(counts);
  }

  @Override
  public int capacity() {
    return capacity;
  }
}
