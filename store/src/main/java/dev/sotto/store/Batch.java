package dev.sotto.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** An ordered list of puts and deletes that is journaled and applied atomically. */
public final class Batch {

  /** One mutation; {@code value} is null for a delete. */
  public record Op(String map, byte[] key, byte[] value) {
    public Op {
      Objects.requireNonNull(map, "map");
      Objects.requireNonNull(key, "key");
    }

    public boolean isDelete() {
      return value == null;
    }
  }

  private final List<Op> ops = new ArrayList<>();

  public Batch put(String map, byte[] key, byte[] value) {
    ops.add(new Op(map, key.clone(), Objects.requireNonNull(value, "value").clone()));
    return this;
  }

  public Batch delete(String map, byte[] key) {
    ops.add(new Op(map, key.clone(), null));
    return this;
  }

  public List<Op> ops() {
    return List.copyOf(ops);
  }

  public boolean isEmpty() {
    return ops.isEmpty();
  }

  public int size() {
    return ops.size();
  }
}
