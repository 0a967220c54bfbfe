package dev.sotto.store;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of a {@link JournaledStore}. Start from {@link #defaults()} or {@link #builder()}.
 *
 * @param groupCommitMaxDelay how long the writer waits for more writes after the first of a group
 *     before it appends and forces them together (zero: commit what is queued at once)
 * @param maxOpsPerGroup a group is committed as soon as it holds this many operations
 * @param checkpointInterval how often the checkpointer applies the durable memtable to MapDB and
 *     commits it with the journal position
 * @param maxMemtableBytes the most (estimated) heap the durable writes not yet checkpointed may
 *     hold (it may overshoot by one group); at this size the writer waits for a checkpoint
 *     (back-pressure: under sustained overload acks then come in steps of one checkpoint, 1-3 s on
 *     the test machine), and at a quarter of it a checkpoint starts early. It also bounds the work
 *     of {@link JournaledStore#close} (MapDB applied about 15 000 small entries per second on the
 *     loaded test machine, so the default, about 80 000 such entries, costs up to ~5 s) and the
 *     heap a recovery uses: an open folds the journal tail into a memtable and applies it to MapDB
 *     itself only when it reaches half of this size, leaving the rest to the checkpointer
 * @param compactionMinBytes the journal is never compacted automatically below this size
 * @param compactionRatio the journal is compacted automatically once it is this many times larger
 *     than the live state it describes (and above {@link #compactionMinBytes})
 * @param maxOpsPerBatch the most operations one batch or update may hold
 * @param maxRecordBytes the largest journal record written or read (a larger length field on read
 *     is corruption)
 * @param fsyncDisabledForTestsOnly never true in the product: skips {@code force} so that tests
 *     that do not test durability run fast; a store so opened loses acknowledged writes on a crash
 */
public record StoreOptions(
    Duration groupCommitMaxDelay,
    int maxOpsPerGroup,
    Duration checkpointInterval,
    long maxMemtableBytes,
    long compactionMinBytes,
    double compactionRatio,
    int maxOpsPerBatch,
    int maxRecordBytes,
    boolean fsyncDisabledForTestsOnly) {

  /** Hard limit on a record, whatever the options say: 64 MiB. */
  public static final int RECORD_BYTES_LIMIT = 64 << 20;

  /** Hard limit on operations in one record, whatever the options say. */
  public static final int OPS_PER_RECORD_LIMIT = 100_000;

  /** The smallest {@link #maxMemtableBytes} accepted. */
  public static final long MIN_MEMTABLE_BYTES = 4096;

  public StoreOptions {
    Objects.requireNonNull(groupCommitMaxDelay, "groupCommitMaxDelay");
    Objects.requireNonNull(checkpointInterval, "checkpointInterval");
    if (groupCommitMaxDelay.isNegative() || groupCommitMaxDelay.toMillis() > 1000) {
      throw new IllegalArgumentException(
          "groupCommitMaxDelay must be 0..1000 ms, got " + groupCommitMaxDelay);
    }
    if (maxOpsPerGroup < 1) {
      throw new IllegalArgumentException("maxOpsPerGroup must be >= 1, got " + maxOpsPerGroup);
    }
    if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
      throw new IllegalArgumentException(
          "checkpointInterval must be positive, got " + checkpointInterval);
    }
    if (maxMemtableBytes < MIN_MEMTABLE_BYTES) {
      throw new IllegalArgumentException(
          "maxMemtableBytes must be >= " + MIN_MEMTABLE_BYTES + ", got " + maxMemtableBytes);
    }
    if (compactionMinBytes < 0) {
      throw new IllegalArgumentException(
          "compactionMinBytes must be >= 0, got " + compactionMinBytes);
    }
    if (!(compactionRatio >= 1.0)) {
      throw new IllegalArgumentException("compactionRatio must be >= 1.0, got " + compactionRatio);
    }
    if (maxOpsPerBatch < 1 || maxOpsPerBatch > OPS_PER_RECORD_LIMIT) {
      throw new IllegalArgumentException(
          "maxOpsPerBatch must be 1.." + OPS_PER_RECORD_LIMIT + ", got " + maxOpsPerBatch);
    }
    if (maxRecordBytes < 1024 || maxRecordBytes > RECORD_BYTES_LIMIT) {
      throw new IllegalArgumentException(
          "maxRecordBytes must be 1024.." + RECORD_BYTES_LIMIT + ", got " + maxRecordBytes);
    }
  }

  /**
   * The product defaults: 2 ms, 1000 ops per group, 1 s checkpoints, 16 MiB of memtables, fsync on.
   */
  public static StoreOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from a copy of these options. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.groupCommitMaxDelay = groupCommitMaxDelay;
    b.maxOpsPerGroup = maxOpsPerGroup;
    b.checkpointInterval = checkpointInterval;
    b.maxMemtableBytes = maxMemtableBytes;
    b.compactionMinBytes = compactionMinBytes;
    b.compactionRatio = compactionRatio;
    b.maxOpsPerBatch = maxOpsPerBatch;
    b.maxRecordBytes = maxRecordBytes;
    b.fsyncDisabledForTestsOnly = fsyncDisabledForTestsOnly;
    return b;
  }

  /** Builds {@link StoreOptions}; every setter has a product default. */
  public static final class Builder {
    private Duration groupCommitMaxDelay = Duration.ofMillis(2);
    private int maxOpsPerGroup = 1000;
    private Duration checkpointInterval = Duration.ofSeconds(1);
    private long maxMemtableBytes = 16L << 20;
    private long compactionMinBytes = 64L << 20;
    private double compactionRatio = 2.0;
    private int maxOpsPerBatch = 10_000;
    private int maxRecordBytes = RECORD_BYTES_LIMIT;
    private boolean fsyncDisabledForTestsOnly;

    private Builder() {}

    public Builder groupCommitMaxDelay(Duration d) {
      this.groupCommitMaxDelay = d;
      return this;
    }

    public Builder maxOpsPerGroup(int n) {
      this.maxOpsPerGroup = n;
      return this;
    }

    public Builder checkpointInterval(Duration d) {
      this.checkpointInterval = d;
      return this;
    }

    public Builder maxMemtableBytes(long n) {
      this.maxMemtableBytes = n;
      return this;
    }

    public Builder compactionMinBytes(long n) {
      this.compactionMinBytes = n;
      return this;
    }

    public Builder compactionRatio(double r) {
      this.compactionRatio = r;
      return this;
    }

    public Builder maxOpsPerBatch(int n) {
      this.maxOpsPerBatch = n;
      return this;
    }

    public Builder maxRecordBytes(int n) {
      this.maxRecordBytes = n;
      return this;
    }

    /** Tests only: skip fsync. Never set in the product. */
    public Builder fsyncDisabledForTestsOnly(boolean b) {
      this.fsyncDisabledForTestsOnly = b;
      return this;
    }

    public StoreOptions build() {
      return new StoreOptions(
          groupCommitMaxDelay,
          maxOpsPerGroup,
          checkpointInterval,
          maxMemtableBytes,
          compactionMinBytes,
          compactionRatio,
          maxOpsPerBatch,
          maxRecordBytes,
          fsyncDisabledForTestsOnly);
    }
  }
}
