package dev.sotto.keystore.state;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link ReplayCacheStore} in memory, for tests. */
public final class InMemoryReplayCacheStore implements ReplayCacheStore {
  private record Owners(int signedPreKeyId, int kemPreKeyId) {}

  private final Map<ByteBuffer, Owners> entries = new ConcurrentHashMap<>();

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

  /** Returns the number of entries. */
  public int size() {
    return entries.size();
  }
}
