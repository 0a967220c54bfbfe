package dev.sotto.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.mapdb.Atomic;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Store}: a CRC-checked append-only journal as the source of truth and a MapDB file as
 * the queryable state.
 *
 * <p><b>Files</b> in the store directory: {@code LOCK} (an OS lock naming the holder's pid), {@code
 * journal.log}, {@code state.db} (MapDB, with its write-ahead log files beside it) and {@code
 * CLEAN} (present only between a clean close and the next open).
 *
 * <p><b>Writes.</b> One writer thread takes queued writes and updates as a group (until {@link
 * StoreOptions#groupCommitMaxDelay} has passed since the first, or {@link
 * StoreOptions#maxOpsPerGroup} operations), appends one journal record per batch with a single
 * {@code write} and forces the journal once. Right after the force it inserts the group into the
 * <em>active memtable</em> (a {@link Memtable}: one {@code ConcurrentSkipListMap} per map holding
 * the newest durable value or a tombstone of each key written since the last checkpoint) and
 * completes the futures. It never touches MapDB: in the first version it applied every group to
 * MapDB before the acks (100-350 ms per 1000 puts here) and committed MapDB on its own thread
 * (400-800 ms stalls), which put MapDB's speed on every ack's path. Futures complete on a separate
 * thread, so callbacks never stall the writer; they run on that one thread, in order, so they must
 * not block (in particular not wait for another write of this store). If the append or the force
 * fails (disk full, I/O error) the partial append is truncated, every future of the group fails
 * with a {@link StoreException}, and later writes are attempted again as usual.
 *
 * <p><b>Reads</b> go through the active memtable, then the frozen one (if a checkpoint is running),
 * then MapDB; the first layer that holds the key decides. Only durable writes ever enter a
 * memtable, so no reader sees a write that is not on disk; a reader sees a group entirely or not at
 * all, because the writer inserts a group and a checkpoint swaps memtables under the write side of
 * a read-write lock that every read holds while it runs. A write is visible before its future
 * completes, so a caller who awaited its write reads it back. {@link #update} functions run on the
 * writer thread and read the same layers below their own and their group's pending writes.
 *
 * <p><b>Checkpoints</b> run on their own thread, about once per {@link
 * StoreOptions#checkpointInterval} (sooner when the memtables hold a quarter of {@link
 * StoreOptions#maxMemtableBytes}): (1) under the write lock, freeze the active memtable and note
 * the sequence number {@code S} of the last durable record, which is the last record in it, and
 * start a new active memtable; (2) apply the frozen memtable to MapDB, outside any lock: readers
 * still find its keys in the frozen layer above MapDB, and a key overwritten meanwhile lives in the
 * new active layer above both, so MapDB's intermediate states are never visible; (3) record {@code
 * S} and the digest of the state (entry count, byte count and an additive 64-bit hash of every
 * entry) in the same MapDB transaction and commit it; (4) drop the frozen layer. Readers that still
 * hold the old list of layers are harmless: the frozen layer holds the same values MapDB now has,
 * and the next freeze (which waits for every reader through the lock) comes before the next apply.
 * If the memtables reach {@link StoreOptions#maxMemtableBytes}, the writer stops taking groups
 * until a checkpoint has drained them (back-pressure), so memory stays bounded when MapDB cannot
 * keep up.
 *
 * <p>MapDB's transactions stay: the journal alone would make them unnecessary for correctness (a
 * checkpoint interrupted half-way could be repaired by replay, since replay is idempotent), but
 * without them a kill during step (2) would leave a file that MapDB cannot open or whose digest
 * does not match, costing a full rebuild from the journal; with them a kill before (3) leaves the
 * previous checkpoint and the journal tail past its position is replayed, exactly as before.
 * Recovery is unchanged: MapDB's recorded position {@code S} never runs ahead of the journal, and
 * everything up to {@code S} is in MapDB.
 *
 * <p><b>Start-up.</b> After a clean close MapDB is opened as is. After a crash every map is walked
 * and the digest recomputed; if that or opening throws anything (MapDB can be left unreadable by a
 * {@code kill -9}), or the digest or the position does not match the journal, the MapDB files are
 * renamed aside with a timestamp suffix and the state is rebuilt from the whole journal. Then one
 * pass over the journal validates every record (see {@link JournalFile}: a torn tail is cut off; a
 * corrupt record followed by valid ones makes {@link #open} fail) and folds the records past
 * MapDB's position (for a rebuild: all of them) into the active memtable, spilling it to MapDB when
 * it holds half of {@link StoreOptions#maxMemtableBytes} (see the private {@code Fold}). What
 * remains in the memtable is applied by the checkpointer after the open, exactly as if the process
 * had not stopped: readers see it through the memtable, and the journal still holds it. So a
 * restart reads the journal once and never waits for MapDB's per-put cost on more than the spills,
 * which the first version paid for the whole tail (10-25 s for 10 000 records on the loaded test
 * machine; bench/results/store-restart.md).
 *
 * <p><b>Compaction</b> rewrites the live state into {@code journal.log.compact}, forces it, renames
 * it over {@code journal.log} and forces the directory, as Redis rewrites its append-only file. It
 * runs on the writer thread, after waiting for a checkpoint of everything journaled so far (so that
 * MapDB's position is never older than the compacted journal's base), so writes wait while it runs
 * (it is sized by the live state). It is triggered by {@link #compact()} or when the journal
 * outgrows {@link StoreOptions#compactionRatio} times the live state. The live state is read from
 * MapDB, so MapDB must match the digest every checkpoint keeps, or the compaction is refused: else
 * damage MapDB did not report would be copied into the journal, the one copy that must stay right.
 *
 * <p><b>MapDB failing while open.</b> The walk at open reads the B-trees, not MapDB's free-space
 * records, and a {@code kill -9} can break those (its own WAL replay); the first checkpoint that
 * frees a record then fails ({@code PointerChecksumBroken}). The checkpointer leaves {@link
 * #SUSPECT} and stops; the store then fails its requests until it is reopened, and that open
 * rebuilds MapDB from the journal, which holds every acknowledged write. A close in that state
 * completes (see {@code shutdown}).
 *
 * <p><b>Durability.</b> Acknowledged writes survive a process crash. They also survive a power loss
 * provided the disk honours {@code fsync}: the journal is forced before acks, renames are followed
 * by a directory force.
 */
public final class JournaledStore implements Store {
  private static final Logger logger = LoggerFactory.getLogger(JournaledStore.class);

  static final String JOURNAL = "journal.log";
  static final String JOURNAL_COMPACT = "journal.log.compact";
  static final String JOURNAL_NEW = "journal.log.new";
  static final String STATE = "state.db";
  static final String CLEAN = "CLEAN";

  /**
   * Left by a checkpointer that failed inside MapDB (damage the open's walk did not see, such as a
   * broken free-space record): the next open rebuilds MapDB from the journal instead of trusting it
   * again.
   */
  static final String SUSPECT = "STATE_SUSPECT";

  static final int QUEUE_CAPACITY = 65_536;
  private static final String MAP_PREFIX = "m.";

  /** The suffix of MapDB's catalog key that says a tree map keeps its values in its nodes. */
  private static final String VALUE_INLINE = "#valueInline";

  private static final int SNAPSHOT_CHUNK_BYTES = 1 << 20;

  private enum State {
    OPEN,
    CLOSING,
    CLOSED,
    FAILED
  }

  /** A test hook run after a group's bytes are written and before the force. */
  interface AppendHook {
    void afterWrite(FileChannel journal, long start, long end) throws IOException;
  }

  /**
   * A test hook run on the checkpointer thread after a frozen memtable has been applied to MapDB
   * and before the commit that records position {@code seq}.
   */
  interface CheckpointHook {
    void beforeCommit(long seq) throws Exception;
  }

  /**
   * A test hook run during an open right after the fold has spilled a memtable to MapDB and
   * committed it; {@code rebuilding} tells whether MapDB is still marked as being rebuilt.
   */
  interface SpillHook {
    void afterSpill(long spills, boolean rebuilding) throws Exception;
  }

  /**
   * Counters and phase timings since open (for tests, metrics and benchmarks).
   *
   * @param journalForces times the journal was forced (one per group commit)
   * @param groups groups committed by the writer
   * @param forceTime total time spent writing and forcing the journal
   * @param publishTime total time spent inserting groups into the memtable under the write lock
   * @param checkpoints MapDB commits since open
   * @param checkpointedEntries memtable entries applied to MapDB
   * @param applyTime total time applying frozen memtables to MapDB (checkpointer thread)
   * @param commitTime total time in MapDB commits (checkpointer thread)
   * @param maxCheckpointTime the longest apply plus commit
   * @param backPressureWaits times the writer waited for a checkpoint to free memtable space
   * @param backPressureTime total time the writer so waited
   * @param memtableBytes estimated bytes held by the memtables now
   * @param keyFilterBuilds times the {@link KeyFilter} of MapDB's keys was built
   * @param keyFilterSkips reads and checkpointed deletes the filter kept out of MapDB
   * @param readCacheHits point reads of MapDB answered by the {@link ReadCache}, and checkpointed
   *     deletes it kept out of MapDB (keys it knows MapDB does not hold)
   */
  public record Stats(
      long journalForces,
      long groups,
      Duration forceTime,
      Duration publishTime,
      long checkpoints,
      long checkpointedEntries,
      Duration applyTime,
      Duration commitTime,
      Duration maxCheckpointTime,
      long backPressureWaits,
      Duration backPressureTime,
      long memtableBytes,
      long keyFilterBuilds,
      long keyFilterSkips,
      long readCacheHits) {}

  private sealed interface Request permits WriteReq, UpdateReq, CompactReq, CloseReq {}

  private record WriteReq(List<Batch.Op> ops, int payloadSize, CompletableFuture<Void> future)
      implements Request {}

  /**
   * An update; {@code completeOn} (null: the store's completion thread) is where its future is
   * completed.
   */
  private record UpdateReq(
      Function<Txn, ?> fn, CompletableFuture<Object> future, Executor completeOn)
      implements Request {}

  private record CompactReq(CompletableFuture<Void> future) implements Request {}

  private record CloseReq(CompletableFuture<Void> future, boolean abrupt) implements Request {}

  /**
   * The durable layers above MapDB: the active memtable and, during a checkpoint, the frozen one.
   */
  private record View(Memtable active, Memtable frozen, Layer db) {
    long bytes() {
      return active.bytes() + (frozen == null ? 0 : frozen.bytes());
    }
  }

  private final Path dir;
  private final Path journalPath;
  private final StoreOptions options;
  private final DirectoryLock lock;
  private final ReentrantReadWriteLock visibility = new ReentrantReadWriteLock();
  private final Map<String, BTreeMap<byte[], byte[]>> maps = new ConcurrentHashMap<>();
  private final ReadCache readCache = new ReadCache();

  /**
   * Which keys MapDB may hold; null until the checkpointer has built it (then reads fall through to
   * MapDB). Replaced only by the checkpointer (the only thread that writes MapDB once open).
   */
  private volatile KeyFilter keyFilter;

  private final AtomicLong filterBuilds = new AtomicLong();
  private final LongAdder filterSkips = new LongAdder();
  private final LongAdder readCacheHits = new LongAdder();
  private final BlockingQueue<Request> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);

  /** The writer's nap while it gathers a group (see {@link #writerLoop}). */
  private static final long GATHER_SLICE_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

  /**
   * How far ahead of the appends the journal file is filled with zeros: see {@link #preallocate}.
   */
  static final long PREALLOCATE_BYTES = 1 << 20;

  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024).asReadOnlyBuffer();

  private final Object submitLock = new Object();
  private final AtomicLong forces = new AtomicLong();
  private final AtomicLong checkpoints = new AtomicLong();
  private final AtomicLong compactions = new AtomicLong();

  private volatile State state = State.OPEN;
  private volatile String failure;
  volatile AppendHook appendHook;

  /** A test hook run before the journal is filled ahead ({@link #preallocate}); may throw. */
  volatile AppendHook fillHook;

  volatile CheckpointHook checkpointHook;

  /**
   * Tests only: maps are created, and kept, with their values inside the nodes, as before 0.1.1, to
   * test the upgrade from that layout. Read at every open; never set by the product.
   */
  static volatile boolean inlineValuesForTests;

  private SpillHook spillHook;

  /** Replaced only under the visibility write lock (freeze) or by the checkpointer (drop). */
  private volatile View view = new View(new Memtable(), null, new MapDbLayer(0));

  /** Sequence number of the last record in the memtables; written under the write lock. */
  private volatile long durableSeq;

  // checkpointer coordination, guarded by ckLock
  private final Object ckLock = new Object();
  private long checkpointedSeq;
  private long requestedSeq;
  private boolean urgent;
  private boolean stopCheckpointer;
  private volatile boolean abrupt;
  private volatile Throwable checkpointerFailure;
  private final CompletableFuture<Throwable> failed = new CompletableFuture<>();

  // statistics
  private volatile long groups;
  private volatile long forceNanos;
  private volatile long publishNanos;
  private volatile long checkpointedEntries;
  private volatile long applyNanos;
  private volatile long commitNanos;
  private volatile long maxCheckpointNanos;
  private volatile long backPressureWaits;
  private volatile long backPressureNanos;

  // owned by the writer thread after open
  private FileChannel journal;

  /** Written by the writer only (and the open); volatile for {@link #journalBytes}. */
  private volatile long journalEnd;

  /**
   * The journal file's length: {@link #journalEnd} plus the zeros written ahead of the appends
   * (writer thread only). See {@link #preallocate}.
   */
  private long allocatedEnd;

  /** After a failed fill, appends grow the file until the journal reaches this length. */
  private long fillRetryAt;

  private long truncatePending = -1;
  private boolean compactionRefused;
  private long nextSeq;
  private RecoveryReport recovery;
  private Thread writer;
  private Thread checkpointer;
  private ExecutorService completer;

  // owned by the checkpointer thread after open (by the opening thread before)
  private DB db;
  private Atomic.Long metaSeq;
  private Atomic.Long metaDigest;
  private Atomic.Long metaCount;
  private Atomic.Long metaBytes;
  private Atomic.Long metaRebuilding;
  private final Digest digest = new Digest();
  private volatile long liveBytes;
  private long lastCheckpointNanos;

  private JournaledStore(Path dir, StoreOptions options, DirectoryLock lock) {
    this.dir = dir;
    this.journalPath = dir.resolve(JOURNAL);
    this.options = options;
    this.lock = lock;
  }

  /**
   * Opens (creating if needed) the store in {@code dir}, recovering from a crash if there was one.
   *
   * @throws StoreException if the directory is locked by another process (the message names the
   *     lock file and the holder's pid), the journal is corrupt before its end, or an I/O error
   *     prevents opening
   */
  public static JournaledStore open(Path dir, StoreOptions options) {
    return open(dir, options, null);
  }

  /** {@link #open(Path, StoreOptions)} with a test hook run after each spill during the open. */
  static JournaledStore open(Path dir, StoreOptions options, SpillHook spillHook) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(options, "options");
    long t0 = System.nanoTime();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new StoreException("cannot create store directory " + dir + ": " + e.getMessage(), e);
    }
    Lz4TempFiles.loadAndDelete();
    DirectoryLock lock = DirectoryLock.acquire(dir);
    JournaledStore store = new JournaledStore(dir, options, lock);
    store.spillHook = spillHook;
    try {
      store.recover(t0);
    } catch (RuntimeException | Error e) {
      store.abandon();
      if (e instanceof StoreException se) {
        throw se;
      }
      throw new StoreException("cannot open store " + dir + ": " + e, e);
    }
    store.startThreads();
    return store;
  }

  /** The options this store was opened with. */
  public StoreOptions options() {
    return options;
  }

  /** What the open found and did. */
  public RecoveryReport recovery() {
    return recovery;
  }

  /** How many times the journal has been forced to disk (for tests and metrics). */
  public long journalForces() {
    return forces.get();
  }

  /**
   * Completes with the cause if the checkpointer fails, or a read fails inside MapDB (MapDB met
   * damage, typically left by a {@code kill -9}, that the open's walk did not read); it completes
   * on the thread that met the damage. After a failed checkpoint nothing more reaches MapDB: reads
   * and acknowledged writes stay correct (the memtables and the journal hold them), but writes fail
   * once the memtables are full. MapDB is marked for a rebuild before this completes, so the owner
   * should close the store and open it again: the open rebuilds MapDB from the journal. Never
   * completes for a store that does not fail.
   */
  public CompletionStage<Throwable> failure() {
    return failed.minimalCompletionStage();
  }

  /** How many MapDB checkpoints have been committed since open. */
  public long checkpoints() {
    return checkpoints.get();
  }

  /** How many compactions have completed since open. */
  public long compactions() {
    return compactions.get();
  }

  /** Counters and phase timings since open. */
  public Stats stats() {
    return new Stats(
        forces.get(),
        groups,
        Duration.ofNanos(forceNanos),
        Duration.ofNanos(publishNanos),
        checkpoints.get(),
        checkpointedEntries,
        Duration.ofNanos(applyNanos),
        Duration.ofNanos(commitNanos),
        Duration.ofNanos(maxCheckpointNanos),
        backPressureWaits,
        Duration.ofNanos(backPressureNanos),
        view.bytes(),
        filterBuilds.get(),
        filterSkips.sum(),
        readCacheHits.sum());
  }

  /**
   * The journal's length in bytes up to the end of its last record (the file can be longer by the
   * zeros written ahead of the appends).
   */
  public long journalBytes() {
    return journalEnd;
  }

  // ---------------------------------------------------------------- open and recovery

  private void recover(long t0) {
    Path compactTmp = dir.resolve(JOURNAL_COMPACT);
    Path newTmp = dir.resolve(JOURNAL_NEW);
    try {
      if (Files.deleteIfExists(compactTmp)) {
        logger.warn("removed {} left by a compaction that did not finish", compactTmp);
      }
      Files.deleteIfExists(newTmp);
      if (!Files.exists(journalPath)) {
        createEmptyJournal();
      }
      journal = FileChannel.open(journalPath, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new StoreException("cannot open journal " + journalPath + ": " + e.getMessage(), e);
    }
    long tPrepared = System.nanoTime();
    Path cleanMarker = dir.resolve(CLEAN);
    boolean clean = Files.exists(cleanMarker);
    try {
      if (clean) {
        Files.delete(cleanMarker);
        JournalFile.fsyncDirectory(dir);
      }
    } catch (IOException e) {
      throw new StoreException("cannot remove " + cleanMarker + ": " + e.getMessage(), e);
    }

    // MapDB first, so that one pass over the journal both validates it and folds the tail
    String broken = null;
    long tOpened = tPrepared;
    try {
      openDb();
      tOpened = System.nanoTime();
      if (metaRebuilding.get() != 0) {
        broken = "a rebuild did not finish";
      } else if (Files.exists(dir.resolve(SUSPECT))) {
        broken = "a checkpoint failed inside it";
      } else if ((broken = layoutOutdated()) != null) {
        // rebuilt from the journal in the current layout
      } else if (!clean) {
        broken = verifyDb();
      } else {
        digest.set(metaDigest.get(), metaCount.get(), metaBytes.get());
      }
    } catch (Exception | StackOverflowError | OutOfMemoryError | AssertionError e) {
      broken = "it cannot be read: " + e;
    }
    long tVerified = System.nanoTime();
    Path movedAside = null;
    Fold fold;
    if (broken != null) {
      movedAside = startRebuild(broken);
      fold = new Fold(true, -1);
      clearSuspect(); // from here the rebuild mark in MapDB makes an interrupted rebuild go again
    } else {
      fold = new Fold(false, metaSeq.get());
    }
    JournalFile.ScanResult scan =
        JournalFile.scan(journalPath, journal, options.maxRecordBytes(), fold);
    long cutBytes = scan.tornBytes(); // a journal too short for its magic counts whole
    try {
      if (scan.needsMagic()) {
        journal.truncate(0);
        JournalFile.writeFully(journal, ByteBuffer.wrap(JournalFile.MAGIC), 0);
        journal.force(true);
        scan =
            new JournalFile.ScanResult(
                JournalFile.MAGIC.length, JournalFile.MAGIC.length, 0, 0, 0, false, 0);
      } else if (scan.tornBytes() > 0) {
        logger.warn(
            "journal {}: cutting off a torn tail of {} bytes at offset {}",
            journalPath,
            scan.tornBytes(),
            scan.validEnd());
        journal.truncate(scan.validEnd());
        journal.force(true);
      } else if (scan.zeroTail() > 0) {
        // the zeros a crash left ahead of the appends: given back, and filled again on demand
        journal.truncate(scan.validEnd());
        journal.force(true);
      }
    } catch (IOException e) {
      throw new StoreException("cannot repair journal " + journalPath + ": " + e.getMessage(), e);
    }
    journalEnd = scan.validEnd();
    allocatedEnd = journalEnd;
    nextSeq = scan.lastSeq() + 1;
    if (broken == null) {
      long s = metaSeq.get();
      if (fold.behindJournal || s < scan.baseSeq() || s > scan.lastSeq()) {
        broken =
            "its position "
                + s
                + " is outside the journal's range "
                + scan.baseSeq()
                + ".."
                + scan.lastSeq();
        movedAside = startRebuild(broken);
        fold = new Fold(true, -1);
        JournalFile.scan(journalPath, journal, options.maxRecordBytes(), fold);
      }
    }
    long position = fold.finish(scan.lastSeq());
    long tRecovered = System.nanoTime();
    durableSeq = scan.lastSeq();
    checkpointedSeq = position;
    liveBytes = digest.bytes;
    RecoveryReport.Phases phases =
        new RecoveryReport.Phases(
            Duration.ofNanos(tPrepared - t0),
            Duration.ofNanos(tOpened - tPrepared),
            Duration.ofNanos(tVerified - tOpened),
            Duration.ofNanos(tRecovered - tVerified),
            fold.spills);
    recovery =
        new RecoveryReport(
            clean,
            broken != null,
            Optional.ofNullable(movedAside),
            fold.records,
            cutBytes,
            scan.records(),
            Duration.ofNanos(System.nanoTime() - t0),
            phases);
    logger.info(
        "opened store {}: clean={} rebuilt={} replayed={} truncated={} in {} ms",
        dir,
        clean,
        broken != null,
        fold.records,
        cutBytes,
        recovery.openTime().toMillis());
    logger.debug("opening store {}: {}", dir, phases);
  }

  /** Leaves {@link #SUSPECT} so that the next open rebuilds MapDB (best effort: logged). */
  private void markSuspect() {
    try {
      Path marker = dir.resolve(SUSPECT);
      if (!Files.exists(marker)) {
        Files.createFile(marker);
        JournalFile.fsyncDirectory(dir);
      }
    } catch (IOException | RuntimeException e) {
      logger.error("cannot mark MapDB of {} for a rebuild: {}", dir, e.toString());
    }
  }

  private void clearSuspect() {
    try {
      if (Files.deleteIfExists(dir.resolve(SUSPECT))) {
        JournalFile.fsyncDirectory(dir);
      }
    } catch (IOException e) {
      throw new StoreException("cannot remove " + dir.resolve(SUSPECT) + ": " + e.getMessage(), e);
    }
  }

  /** Moves the broken MapDB files aside and starts an empty one marked as being rebuilt. */
  private Path startRebuild(String why) {
    logger.warn("MapDB state in {} is unusable ({}); rebuilding it from the journal", dir, why);
    closeDbQuietly();
    Path movedAside = moveStateAside();
    openDb();
    digest.set(0, 0, 0);
    metaRebuilding.set(1);
    db.commit();
    return movedAside;
  }

  /**
   * Folds journal records into a memtable while the journal is validated at open: the tail past
   * MapDB's position after a crash, or the whole journal for a rebuild. Folding keeps only the
   * newest value of each key, so a key written and deleted again never reaches MapDB, and what does
   * reach it goes in key order. When the memtable holds half of {@link
   * StoreOptions#maxMemtableBytes} it is <em>spilled</em>: applied to MapDB and committed (a
   * checkpoint, in effect), which bounds the heap a recovery needs.
   *
   * <p>What is left at the end stays in the active memtable: it is durable in the journal, readers
   * see it through the memtable exactly as they did before the crash, and the checkpointer applies
   * it to MapDB after the open. So an open pays for reading the journal, not for MapDB's per-put
   * cost (which made a replay of 17 000 records take 19 s on the test machine).
   *
   * <p>A rebuild keeps MapDB marked as being rebuilt until its contents match a journal position
   * past every snapshot record (all snapshot records carry the same base sequence number, so a
   * spill in their middle matches no position); the final commit clears the mark and records that
   * position. A kill before it makes the next open rebuild again.
   */
  private final class Fold implements JournalFile.Sink {
    private final boolean rebuilding;
    private final long fromSeq;
    private final long spillBytes =
        Math.max(StoreOptions.MIN_MEMTABLE_BYTES, options.maxMemtableBytes() / 2);
    private Memtable memtable = new Memtable();
    private boolean first = true;
    private long consistentSeq;
    boolean behindJournal;
    long records;
    long spills;

    /** {@code fromSeq}: MapDB's position (ignored when rebuilding). */
    Fold(boolean rebuilding, long fromSeq) {
      this.rebuilding = rebuilding;
      this.fromSeq = fromSeq;
      this.consistentSeq = rebuilding ? -1 : fromSeq;
    }

    @Override
    public void accept(JournalRecord r) {
      boolean batch = r.kind() == JournalRecord.BATCH;
      if (first) {
        first = false;
        long base = batch ? r.seq() - 1 : r.seq();
        if (rebuilding && batch) {
          consistentSeq = base; // no snapshot: the journal starts from an empty state
        } else if (!rebuilding && fromSeq < base) {
          behindJournal = true; // a compaction MapDB never saw: only a rebuild can help
        }
      }
      if (behindJournal || (!rebuilding && (!batch || r.seq() <= fromSeq))) {
        return;
      }
      memtable.apply(r.ops());
      records++;
      if (memtable.bytes() >= spillBytes) {
        spill(batch ? r.seq() : -1);
      }
    }

    /** Applies the memtable to MapDB and commits it; {@code seq} is -1 inside the snapshot. */
    private void spill(long seq) {
      applyToDb(memtable);
      memtable = new Memtable();
      consistentSeq = seq;
      if (rebuilding) {
        storeDigest();
        db.commit();
      } else {
        commitDb(seq);
      }
      spills++;
      if (spillHook != null) {
        try {
          spillHook.afterSpill(spills, rebuilding);
        } catch (Exception e) {
          throw new IllegalStateException("spill hook: " + e, e);
        }
      }
    }

    /** Finishes the fold; returns the position MapDB is committed at. */
    long finish(long lastSeq) {
      if (rebuilding) {
        if (consistentSeq < 0) {
          applyToDb(memtable);
          memtable = new Memtable();
          consistentSeq = lastSeq;
        }
        metaSeq.set(consistentSeq);
        storeDigest();
        metaRebuilding.set(0);
        db.commit();
      }
      view = new View(memtable, null, new MapDbLayer(readCache.advance()));
      return consistentSeq;
    }
  }

  /** Applies a memtable to MapDB, in key order (tombstones remove). */
  private long applyToDb(Memtable m) {
    long applied = 0;
    for (Map.Entry<String, ConcurrentSkipListMap<byte[], byte[]>> e : m.maps().entrySet()) {
      for (Map.Entry<byte[], byte[]> kv : e.getValue().entrySet()) {
        byte[] v = kv.getValue();
        applyToDb(e.getKey(), kv.getKey(), v == Layer.TOMBSTONE ? null : v);
        applied++;
      }
    }
    return applied;
  }

  private void createEmptyJournal() throws IOException {
    Path tmp = dir.resolve(JOURNAL_NEW);
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      JournalFile.writeFully(ch, ByteBuffer.wrap(JournalFile.MAGIC), 0);
      ch.force(true);
    }
    moveAtomically(tmp, journalPath);
    JournalFile.fsyncDirectory(dir);
  }

  private static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the file system cannot rename " + from + " atomically", e);
    }
  }

  /**
   * Opens MapDB on a memory-mapped file. On a {@code FileChannel} volume MapDB reads every index
   * slot and node field with its own {@code pread} and writes its WAL in as many small {@code
   * pwrite}s: strace counted about 60 preads and 30 pwrites per checkpointed entry, and the
   * checkpointer cost 121-147 us of CPU per 1.1 KiB entry (30,000 entries, one core). Mapped, the
   * same work cost 42-44 us; in W3 the server's CPU per stored message fell from about 400 to 236
   * us. The mapped volume was tried once before and reverted: after a {@code kill -9} its
   * checkpointer met {@code PointerChecksumBroken} in 2 of 4 runs of {@code LocalStoreKillIT}.
   * Since then a failed checkpoint marks MapDB suspect and the next open rebuilds it from the
   * journal (which holds everything acknowledged), and the kill campaigns run on this volume lost
   * nothing (bench/README.md, session 7). The mapped buffers are left to the garbage collector
   * rather than unmapped at close (MapDB's cleaner hack): a reader racing a close would then touch
   * unmapped memory and crash the JVM.
   */
  private void openDb() {
    keyFilter = null;
    readCache.clear();
    db = DBMaker.fileDB(dir.resolve(STATE).toFile()).transactionEnable().fileMmapEnable().make();
    Lz4TempFiles.deleteOwn();
    metaSeq = db.atomicLong("sotto.seq").createOrOpen();
    metaDigest = db.atomicLong("sotto.digest").createOrOpen();
    metaCount = db.atomicLong("sotto.count").createOrOpen();
    metaBytes = db.atomicLong("sotto.bytes").createOrOpen();
    metaRebuilding = db.atomicLong("sotto.rebuilding").createOrOpen();
    maps.clear();
    for (String name : db.getAllNames()) {
      if (name.startsWith(MAP_PREFIX)) {
        maps.put(name.substring(MAP_PREFIX.length()), openMap(name));
      }
    }
  }

  /**
   * Opens or creates a map with its values outside the B-tree nodes, so that a put rewrites a leaf
   * of keys and record ids rather than a leaf of whole values: 30,000 puts of 1.1 KiB values cost
   * the checkpointer 1.3 s of CPU this way and 6.5-7.9 s inline (mapped file, one core). MapDB
   * records the layout in its catalog when it creates a map and reads it back on every later open,
   * so a map keeps the layout it was created with: {@link #layoutOutdated()} finds maps of the
   * older, inline layout, and the open rebuilds them.
   */
  private BTreeMap<byte[], byte[]> openMap(String internalName) {
    DB.TreeMapMaker<byte[], byte[]> maker =
        db.treeMap(internalName, Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY);
    if (!inlineValuesForTests) {
      maker = maker.valuesOutsideNodesEnable();
    }
    return maker.createOrOpen();
  }

  /** Why MapDB's layout is older than this version writes, or null if it is current. */
  private String layoutOutdated() {
    for (Map.Entry<String, String> e : db.nameCatalogLoad().entrySet()) {
      if (e.getKey().startsWith(MAP_PREFIX)
          && e.getKey().endsWith(VALUE_INLINE)
          && Boolean.parseBoolean(e.getValue())
          && !inlineValuesForTests) {
        return "its maps keep their values inside the B-tree nodes (the layout before 0.1.1)";
      }
    }
    return null;
  }

  /** Walks every map; returns why the state is unusable, or null. */
  private String verifyDb() {
    Digest d = new Digest();
    // A damaged B-tree can link its nodes into a cycle, and MapDB's iterator then never ends
    // (seen in LocalStoreKillIT after a kill -9): the checkpoint recorded how many entries and
    // bytes there are, so walking past either proves the file wrong and bounds the walk.
    long expectedCount = metaCount.get();
    long expectedBytes = metaBytes.get();
    for (Map.Entry<String, BTreeMap<byte[], byte[]>> m : new TreeMap<>(maps).entrySet()) {
      for (Map.Entry<byte[], byte[]> e : m.getValue().entrySet()) {
        d.add(m.getKey(), e.getKey(), e.getValue());
        if (d.count > expectedCount || d.bytes > expectedBytes) {
          return "it holds more than the "
              + expectedCount
              + " entries of its last checkpoint (a damaged or cyclic index)";
        }
      }
    }
    if (d.hash != metaDigest.get() || d.count != metaCount.get() || d.bytes != metaBytes.get()) {
      return "its contents ("
          + d.count
          + " entries) do not match the digest of its last checkpoint ("
          + metaCount.get()
          + " entries)";
    }
    digest.set(d.hash, d.count, d.bytes);
    return null;
  }

  private void closeDbQuietly() {
    if (db != null) {
      try {
        db.rollback();
      } catch (RuntimeException | Error e) {
        logger.debug("rollback of a broken MapDB failed", e);
      }
      try {
        db.close();
      } catch (RuntimeException | Error e) {
        logger.debug("close of a broken MapDB failed", e);
      }
      db = null;
    }
    maps.clear();
  }

  private Path moveStateAside() {
    String suffix =
        ".broken-"
            + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
                .format(ZonedDateTime.now(ZoneOffset.UTC));
    Path main = dir.resolve(STATE);
    Path target = dir.resolve(STATE + suffix);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, STATE + "*")) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        if (name.contains(".broken-")) {
          continue;
        }
        Files.move(f, dir.resolve(name + suffix), StandardCopyOption.ATOMIC_MOVE);
      }
      JournalFile.fsyncDirectory(dir);
    } catch (IOException e) {
      throw new StoreException("cannot move broken state " + main + " aside: " + e.getMessage(), e);
    }
    logger.warn("moved broken MapDB state {} to {}", main, target);
    return Files.exists(target) ? target : null;
  }

  private void startThreads() {
    lastCheckpointNanos = System.nanoTime();
    completer =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "sotto-store-acks-" + dir.getFileName());
              t.setDaemon(true);
              return t;
            });
    checkpointer =
        new Thread(this::checkpointerLoop, "sotto-store-checkpointer-" + dir.getFileName());
    checkpointer.setDaemon(true);
    checkpointer.start();
    writer = new Thread(this::writerLoop, "sotto-store-writer-" + dir.getFileName());
    writer.setDaemon(true);
    writer.start();
  }

  /** Releases what a failed open holds. */
  private void abandon() {
    closeDbQuietly();
    if (journal != null) {
      try {
        journal.close();
      } catch (IOException ignored) {
        // nothing to do
      }
    }
    lock.close();
    state = State.CLOSED;
  }

  // ---------------------------------------------------------------- public API

  @Override
  public Optional<byte[]> get(String map, byte[] key) {
    JournalRecord.checkMapName(map);
    Objects.requireNonNull(key, "key");
    visibility.readLock().lock();
    try {
      checkReadable();
      return readGuarded(() -> Layer.lookup(durableLayers(view), map, key));
    } finally {
      visibility.readLock().unlock();
    }
  }

  @Override
  public List<Entry> scan(String map, byte[] prefix, int limit) {
    JournalRecord.checkMapName(map);
    Objects.requireNonNull(prefix, "prefix");
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0, got " + limit);
    }
    visibility.readLock().lock();
    try {
      checkReadable();
      return readGuarded(() -> Layer.scan(durableLayers(view), map, prefix, limit));
    } finally {
      visibility.readLock().unlock();
    }
  }

  @Override
  public CompletableFuture<Void> write(Batch batch) {
    Objects.requireNonNull(batch, "batch");
    List<Batch.Op> ops = batch.ops();
    int size;
    try {
      size = JournalRecord.checkOps(ops, options.maxOpsPerBatch(), options.maxRecordBytes());
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(
          new StoreException("batch rejected: " + e.getMessage()));
    }
    CompletableFuture<Void> f = new CompletableFuture<>();
    submit(new WriteReq(ops, size, f));
    return f;
  }

  @Override
  public <T> CompletableFuture<T> update(Function<Txn, T> fn) {
    return submitUpdate(fn, null);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Here the writer hands each executor the completions of one group in a single task, in commit
   * order, instead of passing every completion through the store's completion thread: a server
   * whose event loops wait for these futures then pays one task per event loop and group rather
   * than a thread switch and a task per request. An executor that refuses the task (shut down) is
   * replaced by the completion thread.
   */
  @Override
  public <T> CompletableFuture<T> update(Function<Txn, T> fn, Executor completeOn) {
    return submitUpdate(fn, Objects.requireNonNull(completeOn, "completeOn"));
  }

  private <T> CompletableFuture<T> submitUpdate(Function<Txn, T> fn, Executor completeOn) {
    Objects.requireNonNull(fn, "fn");
    CompletableFuture<Object> f = new CompletableFuture<>();
    submit(new UpdateReq(fn, f, completeOn));
    @SuppressWarnings("unchecked")
    CompletableFuture<T> typed = (CompletableFuture<T>) (CompletableFuture<?>) f;
    return typed;
  }

  @Override
  public CompletableFuture<Void> compact() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    submit(new CompactReq(f));
    return f;
  }

  @Override
  public void close() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    synchronized (submitLock) {
      if (state != State.OPEN) {
        return;
      }
      state = State.CLOSING;
      try {
        queue.put(new CloseReq(f, false));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StoreException("interrupted while closing");
      }
    }
    boolean interrupted = false;
    while (true) {
      try {
        writer.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    f.join();
  }

  /**
   * Tests only: stops as a crash would, after the last completed group: no drain of queued
   * requests, no checkpoint, no clean marker. Returns once the files and the lock are released.
   */
  void crashForTesting() {
    synchronized (submitLock) {
      if (state != State.OPEN) {
        return;
      }
      state = State.CLOSING;
      StoreException crashed = new StoreException("store is closed");
      for (Request r; (r = queue.poll()) != null; ) {
        failRequest(r, crashed);
      }
      queue.add(new CloseReq(new CompletableFuture<>(), true));
    }
    try {
      writer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean submit(Request r) {
    synchronized (submitLock) {
      if (state != State.OPEN) {
        failRequest(r, closedException());
        return false;
      }
      if (!queue.offer(r)) {
        failRequest(
            r,
            new StoreException(
                "store write queue is full (" + QUEUE_CAPACITY + " requests); retry later"));
        return false;
      }
      return true;
    }
  }

  private StoreException closedException() {
    return state == State.FAILED
        ? new StoreException("store failed: " + failure + "; reopen it to recover")
        : new StoreException("store is closed");
  }

  private void checkReadable() {
    if (state == State.CLOSED || state == State.FAILED) {
      throw closedException();
    }
  }

  private static void failRequest(Request r, Throwable e) {
    if (r instanceof WriteReq w) {
      w.future().completeExceptionally(e);
    } else if (r instanceof UpdateReq u) {
      u.future().completeExceptionally(e);
    } else if (r instanceof CompactReq c) {
      c.future().completeExceptionally(e);
    } else if (r instanceof CloseReq c) {
      c.future().completeExceptionally(e);
    }
  }

  // ---------------------------------------------------------------- writer thread

  private void writerLoop() {
    long delayNanos = options.groupCommitMaxDelay().toNanos();
    // the requests taken from the queue and not yet answered: failed if the writer fails
    List<Request> group = new ArrayList<>();
    Request control = null;
    try {
      while (true) {
        group = new ArrayList<>();
        control = null;
        Request first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first instanceof CompactReq || first instanceof CloseReq) {
          control = first;
        } else if (first != null) {
          group.add(first);
        }
        checkCheckpointer();
        if (first == null) {
          continue;
        }
        if (control == null) {
          int ops = weight(first);
          long deadline = System.nanoTime() + delayNanos;
          // Gathers the group by taking what is queued and napping in slices until the deadline,
          // not by waiting on the queue: a waiting writer is woken by every request put, which
          // cost each request a futex wake on the putting thread and a context switch here (W1:
          // about 1.4 futex calls per message). A napping writer is not signalled.
          while (ops < options.maxOpsPerGroup()) {
            Request r = queue.poll();
            if (r == null) {
              long wait = deadline - System.nanoTime();
              if (wait <= 0) {
                break;
              }
              LockSupport.parkNanos(Math.min(wait, GATHER_SLICE_NANOS));
              if (Thread.interrupted()) {
                throw new InterruptedException();
              }
              continue;
            }
            if (r instanceof CompactReq || r instanceof CloseReq) {
              control = r;
              break;
            }
            group.add(r);
            ops += weight(r);
          }
          commitGroup(group);
          group = List.of();
        }
        if (control instanceof CloseReq c) {
          if (c.abrupt()) {
            stopAbruptly();
          } else {
            shutdown(c);
          }
          return;
        }
        if (control instanceof CompactReq c) {
          runCompaction(c.future());
        }
        maybeAutoCompact();
      }
    } catch (InterruptedException e) {
      failure = "writer thread interrupted";
      state = State.FAILED;
      stopAbruptly();
      answerInHand(group, control);
    } catch (RuntimeException | Error e) {
      logger.error("store writer for {} failed; the store must be reopened", dir, e);
      failure = String.valueOf(e);
      state = State.FAILED;
      stopAbruptly();
      answerInHand(group, control);
    }
  }

  /**
   * After the writer failed: fails the requests it had taken from the queue (a request answered
   * already stays as it was), and completes a close, whose work {@link #stopAbruptly} has done.
   * Without it a {@link #close} that met a failed checkpointer waited forever.
   */
  private void answerInHand(List<Request> group, Request control) {
    StoreException e = new StoreException("store failed: " + failure + "; reopen it to recover");
    for (Request r : group) {
      failRequest(r, e);
    }
    if (control instanceof CloseReq c) {
      c.future().complete(null);
    } else if (control != null) {
      failRequest(control, e);
    }
  }

  private static int weight(Request r) {
    return r instanceof WriteReq w ? Math.max(1, w.ops().size()) : 1;
  }

  /** One request's part of a group: its record (if it wrote anything) and its result. */
  private static final class Pending {
    final Request request;
    final List<Batch.Op> ops;
    final long seq;
    final int payloadSize;
    final Object result;

    Pending(Request request, List<Batch.Op> ops, long seq, int payloadSize, Object result) {
      this.request = request;
      this.ops = ops;
      this.seq = seq;
      this.payloadSize = payloadSize;
      this.result = result;
    }
  }

  private void commitGroup(List<Request> group) throws InterruptedException {
    awaitMemtableRoom();
    Overlay overlay = new Overlay();
    List<Pending> pendings = new ArrayList<>(group.size());
    long seq = nextSeq;
    long bytes = 0;
    for (Request r : group) {
      if (r instanceof WriteReq w) {
        if (w.ops().isEmpty()) {
          pendings.add(new Pending(w, List.of(), -1, 0, null));
          continue;
        }
        overlay.apply(w.ops());
        pendings.add(new Pending(w, w.ops(), seq++, w.payloadSize(), null));
        bytes += JournalRecord.HEADER_BYTES + w.payloadSize();
      } else if (r instanceof UpdateReq u) {
        TxnImpl txn = new TxnImpl(overlay);
        Object result;
        try {
          result = u.fn().apply(txn);
        } catch (RuntimeException | Error e) {
          completeOn(u.completeOn(), () -> u.future().completeExceptionally(e));
          continue;
        } finally {
          txn.closed = true;
        }
        int size;
        try {
          size =
              JournalRecord.checkOps(txn.ops, options.maxOpsPerBatch(), options.maxRecordBytes());
        } catch (IllegalArgumentException e) {
          StoreException se = new StoreException("update rejected: " + e.getMessage(), e);
          completeOn(u.completeOn(), () -> u.future().completeExceptionally(se));
          continue;
        }
        if (txn.ops.isEmpty()) {
          pendings.add(new Pending(u, List.of(), -1, 0, result));
        } else {
          overlay.apply(txn.ops);
          pendings.add(new Pending(u, List.copyOf(txn.ops), seq++, size, result));
          bytes += JournalRecord.HEADER_BYTES + size;
        }
      }
    }
    if (bytes > 0) {
      if (bytes > Integer.MAX_VALUE - 64) {
        // cannot happen with the group limits, but never build an impossible buffer
        failGroup(pendings, new StoreException("group too large"));
        return;
      }
      ByteBuffer buf = ByteBuffer.allocate((int) bytes);
      for (Pending p : pendings) {
        if (p.seq >= 0) {
          byte kind = JournalRecord.BATCH;
          JournalRecord.encode(p.seq, kind, p.ops, p.payloadSize, buf);
        }
      }
      buf.flip();
      long start = journalEnd;
      long t0 = System.nanoTime();
      try {
        if (truncatePending >= 0) {
          journal.truncate(truncatePending);
          allocatedEnd = Math.min(allocatedEnd, truncatePending);
          truncatePending = -1;
        }
        if (start + bytes > allocatedEnd && start >= fillRetryAt) {
          preallocate(start + bytes);
        }
        JournalFile.writeFully(journal, buf, start);
        AppendHook hook = appendHook;
        if (hook != null) {
          hook.afterWrite(journal, start, start + bytes);
        }
        force();
      } catch (IOException e) {
        logger.warn("journal append of {} bytes failed: {}", bytes, e.toString());
        allocatedEnd = start;
        try {
          journal.truncate(start);
          journal.force(true);
        } catch (IOException e2) {
          truncatePending = start;
          logger.warn("cannot truncate the journal back to {}: {}", start, e2.toString());
        }
        failGroup(
            pendings,
            new StoreException("journal write failed (nothing was stored): " + e.getMessage(), e));
        return;
      }
      long t1 = System.nanoTime();
      journalEnd = start + bytes;
      nextSeq = seq;
      long activeBytes;
      visibility.writeLock().lock();
      try {
        Memtable active = view.active();
        for (Pending p : pendings) {
          if (p.seq >= 0) {
            active.apply(p.ops);
            durableSeq = p.seq;
          }
        }
        activeBytes = active.bytes();
      } finally {
        visibility.writeLock().unlock();
      }
      groups++;
      forceNanos += t1 - t0;
      publishNanos += System.nanoTime() - t1;
      if (activeBytes >= earlyCheckpointBytes()) {
        synchronized (ckLock) {
          ckLock.notifyAll();
        }
      }
    }
    dispatch(
        pendings,
        p -> {
          if (p.request instanceof WriteReq w) {
            w.future().complete(null);
          } else if (p.request instanceof UpdateReq u) {
            u.future().complete(p.result);
          }
        });
  }

  private void failGroup(List<Pending> pendings, StoreException e) {
    dispatch(pendings, p -> failRequest(p.request, e));
  }

  /**
   * Runs {@code action} for each of a group's requests, in order, on the executor each asked for
   * (the completion thread by default): one task per executor.
   */
  private void dispatch(List<Pending> pendings, Consumer<Pending> action) {
    Executor first = executorOf(pendings.isEmpty() ? null : pendings.get(0).request);
    boolean one = true;
    for (Pending p : pendings) {
      if (executorOf(p.request) != first) {
        one = false;
        break;
      }
    }
    if (one) {
      completeOn(first, () -> pendings.forEach(action));
      return;
    }
    // A handful of executors (the event loops) per group: a linear search is enough.
    List<Executor> executors = new ArrayList<>();
    List<List<Pending>> parts = new ArrayList<>();
    for (Pending p : pendings) {
      Executor e = executorOf(p.request);
      int i = executors.indexOf(e);
      if (i < 0) {
        executors.add(e);
        parts.add(new ArrayList<>());
        i = executors.size() - 1;
      }
      parts.get(i).add(p);
    }
    for (int i = 0; i < executors.size(); i++) {
      List<Pending> part = parts.get(i);
      completeOn(executors.get(i), () -> part.forEach(action));
    }
  }

  private static Executor executorOf(Request r) {
    return r instanceof UpdateReq u ? u.completeOn() : null;
  }

  private void completeOn(Executor executor, Runnable task) {
    if (executor != null) {
      try {
        executor.execute(task);
        return;
      } catch (RuntimeException e) {
        // shut down (a server closing its event loops): the completion thread still answers
        logger.debug("completion executor refused a task: {}", e.toString());
      }
    }
    completer.execute(task);
  }

  /**
   * Extends the journal file with zeros to past {@code needed} and forces it with its metadata, so
   * that the appends that follow overwrite blocks the file already owns and each group's {@code
   * fdatasync} flushes data only. An append that grows the file also makes ext4 commit the new size
   * and block allocation: measured on this machine, 3,000 appends of 4 KB with an fdatasync each
   * cost 103-110 us of CPU and 270-310 us of wall time per sync growing the file, and 67-70 us and
   * 174-179 us in a file written ahead (PostgreSQL and RocksDB prepare their logs the same way). A
   * crash leaves the zeros behind: the open's scan recognises them ({@link
   * JournalFile.ScanResult#zeroTail()}) and cuts them off without calling them torn, and a clean
   * close trims them. If the zeros cannot be written (a full disk), the append is tried as before,
   * growing the file.
   */
  private void preallocate(long needed) {
    long target = Math.max(needed, allocatedEnd) + PREALLOCATE_BYTES;
    long pos = Math.max(allocatedEnd, journalEnd);
    try {
      AppendHook hook = fillHook;
      if (hook != null) {
        hook.afterWrite(journal, pos, target);
      }
      ByteBuffer zeros = ZEROS.duplicate();
      while (pos < target) {
        zeros.clear().limit((int) Math.min(zeros.capacity(), target - pos));
        pos += journal.write(zeros, pos);
      }
      if (!options.fsyncDisabledForTestsOnly()) {
        journal.force(true);
      }
      allocatedEnd = target;
    } catch (IOException e) {
      logger.debug("cannot fill the journal ahead to {} bytes: {}", target, e.toString());
      try {
        journal.truncate(journalEnd);
      } catch (IOException e2) {
        // the append that follows fails too, and its failure path truncates
      }
      allocatedEnd = journalEnd;
      fillRetryAt = journalEnd + PREALLOCATE_BYTES;
    }
  }

  private void force() throws IOException {
    if (!options.fsyncDisabledForTestsOnly()) {
      journal.force(false);
    }
    forces.incrementAndGet();
  }

  private long earlyCheckpointBytes() {
    return options.maxMemtableBytes() / 4;
  }

  /** Throws if the checkpointer died: nothing more can reach MapDB, so the store must reopen. */
  private void checkCheckpointer() {
    Throwable t = checkpointerFailure;
    if (t != null) {
      throw new StoreException("the checkpointer failed: " + t, t);
    }
  }

  /** Back-pressure: waits (writer thread) while the memtables hold too much. */
  private void awaitMemtableRoom() throws InterruptedException {
    if (view.bytes() < options.maxMemtableBytes()) {
      return;
    }
    long t0 = System.nanoTime();
    synchronized (ckLock) {
      while (view.bytes() >= options.maxMemtableBytes()) {
        checkCheckpointer();
        urgent = true;
        ckLock.notifyAll();
        ckLock.wait(100);
      }
    }
    backPressureWaits++;
    backPressureNanos += System.nanoTime() - t0;
  }

  /** Waits (writer thread) until everything up to {@code seq} is committed to MapDB. */
  private void awaitCheckpoint(long seq) throws InterruptedException {
    if (!checkpointThrough(seq)) {
      checkCheckpointer();
    }
  }

  /**
   * Waits (writer thread) until everything up to {@code seq} is committed to MapDB; false if the
   * checkpointer failed first.
   */
  private boolean checkpointThrough(long seq) throws InterruptedException {
    synchronized (ckLock) {
      requestedSeq = Math.max(requestedSeq, seq);
      ckLock.notifyAll();
      while (checkpointedSeq < seq) {
        if (checkpointerFailure != null) {
          return false;
        }
        ckLock.wait(100);
      }
      return true;
    }
  }

  /**
   * Runs a read through the layers. If MapDB throws while it reads (damage that the open's walk did
   * not read, such as a node broken by a {@code kill -9}, or a file changed under the store), the
   * store is failed as when the checkpointer meets damage: MapDB is marked for a rebuild, {@link
   * #failure()} completes (the server then restarts and the reopen rebuilds from the journal), and
   * the caller gets a {@link StoreException}. Without this every later read of that node failed the
   * same way (a send that read the recipient's usage counter, a backlog page) until an operator
   * restarted the server. A failure of the store's own code is passed on unchanged.
   */
  private <T> T readGuarded(java.util.function.Supplier<T> read) {
    try {
      return read.get();
    } catch (RuntimeException | AssertionError | StackOverflowError e) {
      if (!thrownByMapDb(e)) {
        throw e;
      }
      mapDbReadFailed(e);
      throw new StoreException(
          "MapDB is damaged ("
              + e
              + "); the store must be reopened, which rebuilds it from the journal",
          e);
    }
  }

  /** Whether MapDB threw {@code e}: its own exception, or one raised inside its code. */
  static boolean thrownByMapDb(Throwable e) {
    if (e instanceof org.mapdb.DBException) {
      return true;
    }
    StackTraceElement[] trace = e.getStackTrace();
    for (int i = 0; i < Math.min(trace.length, 12); i++) {
      String c = trace[i].getClassName();
      if (c.startsWith("org.mapdb.")) {
        return true;
      }
      if (c.startsWith("dev.sotto.")) {
        return false; // raised in our code before any MapDB frame
      }
    }
    return false;
  }

  private void mapDbReadFailed(Throwable e) {
    if (failed.isDone()) {
      return;
    }
    logger.error("a read of MapDB in {} failed; the store must be reopened", dir, e);
    markSuspect(); // first, as for a failed checkpointer
    failed.complete(e);
  }

  // ---------------------------------------------------------------- checkpointer thread

  private void checkpointerLoop() {
    long intervalNanos = options.checkpointInterval().toNanos();
    lastCheckpointNanos = System.nanoTime();
    try {
      buildKeyFilter();
      while (true) {
        synchronized (ckLock) {
          while (true) {
            if (abrupt || stopCheckpointer) {
              return;
            }
            if (urgent || requestedSeq > checkpointedSeq) {
              break;
            }
            Memtable active = view.active();
            if (active.bytes() >= earlyCheckpointBytes()) {
              break;
            }
            long wait = lastCheckpointNanos + intervalNanos - System.nanoTime();
            if (wait <= 0 && !active.isEmpty()) {
              break;
            }
            long waitNanos = wait <= 0 ? intervalNanos : wait;
            ckLock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos)));
          }
        }
        checkpointOnce();
        KeyFilter filter = keyFilter;
        if (filter != null && filter.saturated()) {
          buildKeyFilter();
        }
      }
    } catch (InterruptedException e) {
      checkpointerFailure = e;
    } catch (RuntimeException | Error e) {
      logger.error("store checkpointer for {} failed; the store must be reopened", dir, e);
      markSuspect(); // first: whoever sees the failure may close the store or exit at once
      checkpointerFailure = e;
    } catch (Exception e) {
      // from a test hook
      checkpointerFailure = e;
    } finally {
      synchronized (ckLock) {
        ckLock.notifyAll();
      }
      Throwable t = checkpointerFailure;
      if (t != null && !(t instanceof InterruptedException)) {
        failed.complete(t);
      }
    }
  }

  /** Freezes the active memtable, applies it to MapDB, commits with its position, drops it. */
  private void checkpointOnce() throws Exception {
    lastCheckpointNanos = System.nanoTime();
    Memtable frozen;
    long seq;
    visibility.writeLock().lock();
    try {
      View v = view;
      seq = durableSeq;
      if (v.active().isEmpty()) {
        frozen = null;
      } else {
        frozen = v.active();
        // before any MapDB write of this checkpoint (see ReadCache)
        view = new View(new Memtable(), frozen, new MapDbLayer(readCache.advance()));
      }
    } finally {
      visibility.writeLock().unlock();
    }
    if (frozen != null) {
      long t0 = System.nanoTime();
      long applied = 0;
      for (Map.Entry<String, ConcurrentSkipListMap<byte[], byte[]>> m : frozen.maps().entrySet()) {
        for (Map.Entry<byte[], byte[]> e : m.getValue().entrySet()) {
          byte[] v = e.getValue();
          applyToDb(m.getKey(), e.getKey(), v == Layer.TOMBSTONE ? null : v);
          if ((++applied & 1023) == 0 && abrupt) {
            return;
          }
        }
      }
      long t1 = System.nanoTime();
      CheckpointHook hook = checkpointHook;
      if (hook != null) {
        hook.beforeCommit(seq);
      }
      if (abrupt) {
        return;
      }
      long t2 = System.nanoTime();
      commitDb(seq);
      long t3 = System.nanoTime();
      view = new View(view.active(), null, view.db());
      checkpointedEntries += applied;
      applyNanos += t1 - t0;
      commitNanos += t3 - t2;
      maxCheckpointNanos = Math.max(maxCheckpointNanos, (t1 - t0) + (t3 - t2));
      logger.debug(
          "checkpoint of {} through seq {}: {} entries applied in {} ms, committed in {} ms",
          dir,
          seq,
          applied,
          (t1 - t0) / 1_000_000,
          (t3 - t2) / 1_000_000);
    }
    synchronized (ckLock) {
      checkpointedSeq = Math.max(checkpointedSeq, seq);
      urgent = false;
      ckLock.notifyAll();
    }
  }

  /**
   * Builds a fresh {@link KeyFilter} from MapDB's keys, sized for them (checkpointer thread: no
   * MapDB write can happen during the walk). The walk is bounded by the entry count of the last
   * checkpoint, as in {@link #verifyDb}; past it (a damaged index) the filter stays as it was.
   */
  private void buildKeyFilter() {
    long t0 = System.nanoTime();
    long expected = digest.count;
    KeyFilter filter = KeyFilter.forKeys(expected);
    long n = 0;
    for (Map.Entry<String, BTreeMap<byte[], byte[]>> m : new TreeMap<>(maps).entrySet()) {
      for (byte[] key : m.getValue().keySet()) {
        filter.add(m.getKey(), key);
        if (++n > expected) {
          logger.warn("MapDB of {} holds more keys than its last checkpoint; no key filter", dir);
          return;
        }
        if ((n & 1023) == 0 && abrupt) {
          return;
        }
      }
    }
    keyFilter = filter;
    filterBuilds.incrementAndGet();
    logger.debug(
        "key filter of {} built: {} keys, capacity {}, in {} ms",
        dir,
        n,
        filter.capacity(),
        (System.nanoTime() - t0) / 1_000_000);
  }

  /**
   * MapDB as the bottom {@link Layer} of a view made in cache generation {@code generation}: a
   * point read skips the B-tree when the key filter allows, or when the read cache has the value.
   */
  private final class MapDbLayer implements Layer {
    private final long generation;

    MapDbLayer(long generation) {
      this.generation = generation;
    }

    @Override
    public NavigableMap<byte[], byte[]> map(String map) {
      return maps.get(map);
    }

    @Override
    public byte[] get(String map, byte[] key) {
      KeyFilter filter = keyFilter;
      if (filter != null && !filter.mightContain(map, key)) {
        filterSkips.increment();
        return null;
      }
      byte[] cached = readCache.get(map, key);
      if (cached != null) {
        readCacheHits.increment();
        return cached;
      }
      if (readCache.knownAbsent(map, key)) {
        readCacheHits.increment();
        return null;
      }
      BTreeMap<byte[], byte[]> m = maps.get(map);
      byte[] v = m == null ? null : m.get(key);
      if (v != null) {
        readCache.offer(generation, map, key, v);
      } else {
        readCache.offerAbsent(generation, map, key);
      }
      return v;
    }
  }

  /** Applies ops to MapDB (recovery, before the threads start). */
  private void applyToDb(List<Batch.Op> ops) {
    for (Batch.Op op : ops) {
      applyToDb(op.map(), op.key(), op.value());
    }
  }

  /** Puts (or with a null value removes) one key in MapDB, keeping the digest up to date. */
  private void applyToDb(String map, byte[] key, byte[] value) {
    BTreeMap<byte[], byte[]> m = maps.get(map);
    KeyFilter filter = keyFilter;
    if (value == null) {
      if (filter != null && !filter.mightContain(map, key)) {
        filterSkips.increment();
      } else if (readCache.knownAbsent(map, key)) {
        readCacheHits.increment();
      } else if (m != null) {
        byte[] old = m.remove(key);
        if (old != null) {
          digest.remove(map, key, old);
          readCache.written(map, key, null);
        }
      }
    } else {
      if (m == null) {
        m = openMap(MAP_PREFIX + map);
        maps.put(map, m);
      }
      if (filter != null) {
        filter.add(map, key); // before MapDB holds it: the filter never has false negatives
      }
      readCache.written(map, key, value); // before MapDB holds it: no stale absent mark
      byte[] old = m.put(key, value);
      if (old != null) {
        digest.remove(map, key, old);
      }
      digest.add(map, key, value);
    }
  }

  private void storeDigest() {
    metaDigest.set(digest.hash);
    metaCount.set(digest.count);
    metaBytes.set(digest.bytes);
  }

  /** Commits MapDB with position {@code seq} and the digest of its contents. */
  private void commitDb(long seq) {
    metaSeq.set(seq);
    storeDigest();
    db.commit();
    liveBytes = digest.bytes;
    checkpoints.incrementAndGet();
  }

  private void maybeAutoCompact() throws InterruptedException {
    if (compactionDue()) {
      awaitCheckpoint(nextSeq - 1); // the live size is known as of the last checkpoint
      if (compactionDue()) {
        runCompaction(null);
      }
    }
  }

  private boolean compactionDue() {
    return !compactionRefused
        && journalEnd > options.compactionMinBytes()
        && journalEnd > options.compactionRatio() * Math.max(1, liveBytes);
  }

  private void runCompaction(CompletableFuture<Void> future) throws InterruptedException {
    long t0 = System.nanoTime();
    long before = journalEnd;
    Path tmp = dir.resolve(JOURNAL_COMPACT);
    try {
      long base = nextSeq - 1;
      awaitCheckpoint(base);
      long size;
      try (FileChannel out =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        long pos = 0;
        JournalFile.writeFully(out, ByteBuffer.wrap(JournalFile.MAGIC), pos);
        pos += JournalFile.MAGIC.length;
        List<Batch.Op> chunk = new ArrayList<>();
        long chunkBytes = JournalRecord.MIN_PAYLOAD;
        boolean wroteAny = false;
        Digest walked = new Digest();
        for (Map.Entry<String, BTreeMap<byte[], byte[]>> m : new TreeMap<>(maps).entrySet()) {
          for (Map.Entry<byte[], byte[]> e : m.getValue().entrySet()) {
            walked.add(m.getKey(), e.getKey(), e.getValue());
            if (walked.count > digest.count) {
              break; // a cyclic index never ends; the check below refuses it
            }
            Batch.Op op = new Batch.Op(m.getKey(), e.getKey(), e.getValue());
            long opBytes = JournalRecord.opBytes(op);
            if (!chunk.isEmpty()
                && (chunk.size() >= options.maxOpsPerBatch()
                    || chunkBytes + opBytes
                        > Math.min(SNAPSHOT_CHUNK_BYTES, options.maxRecordBytes()))) {
              pos += writeSnapshot(out, pos, base, chunk, (int) chunkBytes);
              wroteAny = true;
              chunk.clear();
              chunkBytes = JournalRecord.MIN_PAYLOAD;
            }
            chunk.add(op);
            chunkBytes += opBytes;
          }
        }
        refuseUnlessDigestMatches(walked);
        if (!chunk.isEmpty() || !wroteAny) {
          pos += writeSnapshot(out, pos, base, chunk, (int) chunkBytes);
        }
        if (!options.fsyncDisabledForTestsOnly()) {
          out.force(true);
        }
        size = pos;
      }
      moveAtomically(tmp, journalPath);
      JournalFile.fsyncDirectory(dir);
      FileChannel old = journal;
      journal = FileChannel.open(journalPath, StandardOpenOption.READ, StandardOpenOption.WRITE);
      journalEnd = size;
      allocatedEnd = size;
      fillRetryAt = 0;
      truncatePending = -1;
      try {
        old.close();
      } catch (IOException ignored) {
        // the old file is gone from the directory already
      }
      compactions.incrementAndGet();
      logger.info(
          "compacted journal {}: {} -> {} bytes in {} ms",
          journalPath,
          before,
          size,
          (System.nanoTime() - t0) / 1_000_000);
      if (future != null) {
        completer.execute(() -> future.complete(null));
      }
    } catch (IOException e) {
      logger.warn("journal compaction failed: {}", e.toString());
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // removed at the next open
      }
      if (future != null) {
        StoreException se = new StoreException("compaction failed: " + e.getMessage(), e);
        completer.execute(() -> future.completeExceptionally(se));
      }
    }
  }

  /**
   * A compaction copies MapDB into the journal, so it must not copy damage: MapDB can lose or
   * change entries in ways no exception reports (a kill -9 can leave its free-space records broken,
   * and a record handed out twice overwrites another), and the compacted journal would then lose
   * them for good. The walk's digest must equal the one kept up to date by every checkpoint;
   * otherwise the compaction is refused (the old journal stays whole), MapDB is marked {@link
   * #SUSPECT} so that the next open rebuilds it from that journal, and no further compaction runs
   * until then.
   */
  private void refuseUnlessDigestMatches(Digest walked) throws IOException {
    if (walked.hash == digest.hash
        && walked.count == digest.count
        && walked.bytes == digest.bytes) {
      return;
    }
    compactionRefused = true;
    markSuspect();
    throw new IOException(
        "MapDB of "
            + dir
            + " does not match its digest ("
            + walked.count
            + " entries walked, "
            + digest.count
            + " expected); compaction refused until a reopen rebuilds it from the journal");
  }

  private static long writeSnapshot(
      FileChannel out, long pos, long base, List<Batch.Op> ops, int payloadSize)
      throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(JournalRecord.HEADER_BYTES + payloadSize);
    JournalRecord.encode(base, JournalRecord.SNAPSHOT, ops, payloadSize, buf);
    buf.flip();
    JournalFile.writeFully(out, buf, pos);
    return JournalRecord.HEADER_BYTES + payloadSize;
  }

  /**
   * A close. If the checkpointer has failed (before the close or while it checkpointed the rest),
   * MapDB misses part of what was acknowledged, but the journal holds all of it: every group was
   * forced before its acks. The close then forces the journal once more and releases the files
   * without the {@code CLEAN} marker, so the next open recovers MapDB from the journal (and
   * rebuilds it when the failure was inside MapDB: {@link #SUSPECT}); it completes normally, since
   * nothing acknowledged is lost. A kill -9 can leave MapDB damaged where the open's walk does not
   * look, such as its free-space records ({@code PointerChecksumBroken} in {@code
   * StoreWAL.longStackLoadChunk} from the first checkpoint after a sound-looking open, seen in
   * {@code KillLoopIT}), so this is a path a crash campaign meets. Only a failure to force or close
   * the journal fails the close.
   */
  private void shutdown(CloseReq c) {
    try {
      if (!checkpointThrough(nextSeq - 1)) {
        closeOnJournalOnly(c);
        return;
      }
      stopCheckpointer(false);
      visibility.writeLock().lock();
      try {
        db.close();
        db = null;
        maps.clear();
        state = State.CLOSED;
      } finally {
        visibility.writeLock().unlock();
      }
      if (allocatedEnd > journalEnd) {
        journal.truncate(journalEnd); // a cleanly closed journal ends with its last record
      }
      force();
      journal.close();
      Path marker = dir.resolve(CLEAN);
      try (FileChannel ch =
          FileChannel.open(marker, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      JournalFile.fsyncDirectory(dir);
      lock.close();
      failQueued();
      c.future().complete(null);
    } catch (IOException | RuntimeException | InterruptedException e) {
      logger.warn("closing store {} failed: {}", dir, e.toString());
      state = State.CLOSED;
      stopAbruptly();
      c.future().completeExceptionally(new StoreException("close failed: " + e.getMessage(), e));
    } finally {
      completer.shutdown();
    }
  }

  /** The close of {@link #shutdown} after a failed checkpointer: the journal is the state. */
  private void closeOnJournalOnly(CloseReq c) throws IOException {
    logger.warn(
        "closing store {} without a final checkpoint: the checkpointer failed ({}); every"
            + " acknowledged write is in the journal and the next open recovers MapDB from it",
        dir,
        String.valueOf(checkpointerFailure));
    force();
    state = State.CLOSED;
    stopAbruptly();
    c.future().complete(null);
  }

  /**
   * Stops the checkpointer and waits for it; {@code abruptly}: at once, without committing what it
   * has applied (MapDB's transaction then drops it, as a crash would).
   */
  private void stopCheckpointer(boolean abruptly) {
    synchronized (ckLock) {
      if (abruptly) {
        abrupt = true;
      }
      stopCheckpointer = true;
      ckLock.notifyAll();
    }
    boolean interrupted = false;
    while (checkpointer.isAlive()) {
      try {
        checkpointer.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Releases files and the lock without a checkpoint or a clean marker (a crash, in effect). */
  private void stopAbruptly() {
    stopCheckpointer(true);
    visibility.writeLock().lock();
    try {
      closeDbQuietly();
      if (state != State.FAILED) {
        state = State.CLOSED;
      }
    } finally {
      visibility.writeLock().unlock();
    }
    try {
      journal.close();
    } catch (IOException ignored) {
      // nothing to do
    }
    lock.close();
    failQueued();
    completer.shutdown();
  }

  private void failQueued() {
    StoreException e = closedException();
    synchronized (submitLock) {
      for (Request r; (r = queue.poll()) != null; ) {
        Request req = r;
        if (req instanceof CloseReq) {
          continue;
        }
        failRequest(req, e);
      }
    }
  }

  // ---------------------------------------------------------------- layered reads

  /** The durable layers of {@code v} above MapDB, then MapDB. */
  private List<Layer> durableLayers(View v) {
    return v.frozen() == null
        ? List.of(v.active(), v.db())
        : List.of(v.active(), v.frozen(), v.db());
  }

  /** Writes of the current group, not yet durable (writer thread only). */
  private static final class Overlay implements Layer {
    final Map<String, TreeMap<byte[], byte[]>> maps = new HashMap<>();

    @Override
    public NavigableMap<byte[], byte[]> map(String map) {
      return maps.get(map);
    }

    void apply(List<Batch.Op> ops) {
      for (Batch.Op op : ops) {
        put(op.map(), op.key(), op.isDelete() ? TOMBSTONE : op.value());
      }
    }

    void put(String map, byte[] key, byte[] value) {
      maps.computeIfAbsent(map, k -> new TreeMap<>(Unsigned.ORDER)).put(key, value);
    }
  }

  /** The {@link Txn} of one {@link #update} call; valid only while its function runs. */
  private final class TxnImpl implements Txn {
    final Overlay own = new Overlay();
    final Overlay group;
    final List<Batch.Op> ops = new ArrayList<>();
    boolean closed;

    TxnImpl(Overlay group) {
      this.group = group;
    }

    private void check() {
      if (closed) {
        throw new IllegalStateException("a Txn is valid only inside its update function");
      }
    }

    private List<Layer> layers() {
      List<Layer> layers = new ArrayList<>(5);
      layers.add(own);
      layers.add(group);
      layers.addAll(durableLayers(view));
      return layers;
    }

    @Override
    public Optional<byte[]> get(String map, byte[] key) {
      check();
      JournalRecord.checkMapName(map);
      Objects.requireNonNull(key, "key");
      return readGuarded(() -> Layer.lookup(layers(), map, key));
    }

    @Override
    public List<Entry> scan(String map, byte[] prefix, int limit) {
      check();
      JournalRecord.checkMapName(map);
      if (limit < 0) {
        throw new IllegalArgumentException("limit must be >= 0, got " + limit);
      }
      Objects.requireNonNull(prefix, "prefix");
      return readGuarded(() -> Layer.scan(layers(), map, prefix, limit));
    }

    @Override
    public List<Entry> scan(String map, byte[] prefix, byte[] from, int limit) {
      check();
      JournalRecord.checkMapName(map);
      Objects.requireNonNull(prefix, "prefix");
      Objects.requireNonNull(from, "from");
      if (limit < 0) {
        throw new IllegalArgumentException("limit must be >= 0, got " + limit);
      }
      if (from.length < prefix.length
          || !Arrays.equals(from, 0, prefix.length, prefix, 0, prefix.length)) {
        throw new IllegalArgumentException("from must start with prefix");
      }
      return readGuarded(() -> Layer.scan(layers(), map, prefix, from, limit));
    }

    @Override
    public void put(String map, byte[] key, byte[] value) {
      check();
      Batch.Op op = new Batch.Op(map, key.clone(), Objects.requireNonNull(value, "value").clone());
      JournalRecord.checkMapName(map);
      if (ops.size() >= options.maxOpsPerBatch()) {
        throw new IllegalArgumentException(
            "an update may hold at most " + options.maxOpsPerBatch() + " operations");
      }
      ops.add(op);
      own.put(map, op.key(), op.value());
    }

    @Override
    public void delete(String map, byte[] key) {
      check();
      Batch.Op op = new Batch.Op(map, key.clone(), null);
      JournalRecord.checkMapName(map);
      if (ops.size() >= options.maxOpsPerBatch()) {
        throw new IllegalArgumentException(
            "an update may hold at most " + options.maxOpsPerBatch() + " operations");
      }
      ops.add(op);
      own.put(map, op.key(), Layer.TOMBSTONE);
    }
  }
}
