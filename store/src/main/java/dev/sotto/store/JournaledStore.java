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
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
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
 * {@code write}, forces the journal once, applies the group to MapDB and only then completes the
 * futures. Visibility to readers comes just before the futures complete (not after, as first
 * planned) so that a caller who awaited its write reads it back; either way no reader ever sees a
 * write that is not yet on disk. Futures complete on a separate thread, so callbacks never stall
 * the writer; they run on that one thread, in order, so they must not block (in particular not wait
 * for another write of this store). If the append or the force fails (disk full, I/O error) the
 * partial append is truncated, every future of the group fails with a {@link StoreException}, and
 * later writes are attempted again as usual.
 *
 * <p><b>Checkpoints.</b> MapDB runs with transactions; about once per {@link
 * StoreOptions#checkpointInterval} the writer commits it together with the sequence number of the
 * last applied journal record and a digest (entry count, byte count and an additive 64-bit hash of
 * every entry) of the whole state.
 *
 * <p><b>Start-up.</b> The journal is validated first (see {@link JournalFile}): a torn tail is cut
 * off; a corrupt record followed by valid ones makes {@link #open} fail. After a clean close MapDB
 * is opened as is. After a crash every map is walked and the digest recomputed; if that or opening
 * throws anything (MapDB can be left unreadable by a {@code kill -9}), or the digest or the
 * position does not match the journal, the MapDB files are renamed aside with a timestamp suffix
 * and the state is rebuilt from the whole journal. Otherwise the journal tail past the recorded
 * position is replayed.
 *
 * <p><b>Compaction</b> rewrites the live state into {@code journal.log.compact}, forces it, renames
 * it over {@code journal.log} and forces the directory, as Redis rewrites its append-only file. It
 * runs on the writer thread, so writes wait while it runs (it is sized by the live state). It is
 * triggered by {@link #compact()} or when the journal outgrows {@link StoreOptions#compactionRatio}
 * times the live state.
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
  static final int QUEUE_CAPACITY = 65_536;
  private static final String MAP_PREFIX = "m.";
  private static final byte[] TOMBSTONE = new byte[0];
  private static final int SNAPSHOT_CHUNK_BYTES = 1 << 20;
  private static final int REBUILD_COMMIT_OPS = 50_000;

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

  private sealed interface Request permits WriteReq, UpdateReq, CompactReq, CloseReq {}

  private record WriteReq(List<Batch.Op> ops, int payloadSize, CompletableFuture<Void> future)
      implements Request {}

  private record UpdateReq(Function<Txn, ?> fn, CompletableFuture<Object> future)
      implements Request {}

  private record CompactReq(CompletableFuture<Void> future) implements Request {}

  private record CloseReq(CompletableFuture<Void> future, boolean abrupt) implements Request {}

  private final Path dir;
  private final Path journalPath;
  private final StoreOptions options;
  private final DirectoryLock lock;
  private final ReentrantReadWriteLock visibility = new ReentrantReadWriteLock();
  private final Map<String, BTreeMap<byte[], byte[]>> maps = new ConcurrentHashMap<>();
  private final BlockingQueue<Request> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
  private final Object submitLock = new Object();
  private final AtomicLong forces = new AtomicLong();
  private final AtomicLong checkpoints = new AtomicLong();
  private final AtomicLong compactions = new AtomicLong();

  private volatile State state = State.OPEN;
  private volatile String failure;
  volatile AppendHook appendHook;

  // owned by the writer thread after open
  private FileChannel journal;
  private long journalEnd;
  private long truncatePending = -1;
  private long nextSeq;
  private DB db;
  private Atomic.Long metaSeq;
  private Atomic.Long metaDigest;
  private Atomic.Long metaCount;
  private Atomic.Long metaBytes;
  private Atomic.Long metaRebuilding;
  private final Digest digest = new Digest();
  private long appliedSeq;
  private long checkpointSeq;
  private long lastCheckpointNanos;
  private RecoveryReport recovery;
  private Thread writer;
  private ExecutorService completer;

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

  /** How many MapDB checkpoints have been committed since open. */
  public long checkpoints() {
    return checkpoints.get();
  }

  /** How many compactions have completed since open. */
  public long compactions() {
    return compactions.get();
  }

  /** The current journal size in bytes. */
  public long journalBytes() {
    try {
      return Files.size(journalPath);
    } catch (IOException e) {
      throw new StoreException("cannot stat " + journalPath + ": " + e.getMessage(), e);
    }
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
    JournalFile.ScanResult scan =
        JournalFile.scan(journalPath, journal, options.maxRecordBytes(), null);
    try {
      if (scan.needsMagic()) {
        journal.truncate(0);
        JournalFile.writeFully(journal, ByteBuffer.wrap(JournalFile.MAGIC), 0);
        journal.force(true);
        scan =
            new JournalFile.ScanResult(
                JournalFile.MAGIC.length, JournalFile.MAGIC.length, 0, 0, 0, false);
      } else if (scan.tornBytes() > 0) {
        logger.warn(
            "journal {}: cutting off a torn tail of {} bytes at offset {}",
            journalPath,
            scan.tornBytes(),
            scan.validEnd());
        journal.truncate(scan.validEnd());
        journal.force(true);
      }
    } catch (IOException e) {
      throw new StoreException("cannot repair journal " + journalPath + ": " + e.getMessage(), e);
    }
    journalEnd = scan.validEnd();
    nextSeq = scan.lastSeq() + 1;

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

    Path movedAside = null;
    String broken = null;
    try {
      openDb();
      if (metaRebuilding.get() != 0) {
        broken = "a rebuild did not finish";
      } else if (!clean) {
        broken = verifyDb();
      } else {
        digest.set(metaDigest.get(), metaCount.get(), metaBytes.get());
      }
      if (broken == null) {
        long s = metaSeq.get();
        if (s < scan.baseSeq() || s > scan.lastSeq()) {
          broken =
              "its position "
                  + s
                  + " is outside the journal's range "
                  + scan.baseSeq()
                  + ".."
                  + scan.lastSeq();
        }
      }
    } catch (Exception | StackOverflowError | OutOfMemoryError | AssertionError e) {
      broken = "it cannot be read: " + e;
    }
    long replayed;
    if (broken != null) {
      logger.warn(
          "MapDB state in {} is unusable ({}); rebuilding it from the journal", dir, broken);
      closeDbQuietly();
      movedAside = moveStateAside();
      openDb();
      replayed = rebuild(scan);
    } else {
      replayed = replayTail(scan, metaSeq.get());
    }
    appliedSeq = scan.lastSeq();
    checkpoint();
    recovery =
        new RecoveryReport(
            clean,
            broken != null,
            Optional.ofNullable(movedAside),
            replayed,
            scan.tornBytes(),
            Duration.ofNanos(System.nanoTime() - t0));
    logger.info(
        "opened store {}: clean={} rebuilt={} replayed={} truncated={} in {} ms",
        dir,
        clean,
        broken != null,
        replayed,
        scan.tornBytes(),
        recovery.openTime().toMillis());
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

  private void openDb() {
    db = DBMaker.fileDB(dir.resolve(STATE).toFile()).transactionEnable().fileChannelEnable().make();
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

  private BTreeMap<byte[], byte[]> openMap(String internalName) {
    return db.treeMap(internalName, Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY).createOrOpen();
  }

  /** Walks every map; returns why the state is unusable, or null. */
  private String verifyDb() {
    Digest d = new Digest();
    for (Map.Entry<String, BTreeMap<byte[], byte[]>> m : new TreeMap<>(maps).entrySet()) {
      for (Map.Entry<byte[], byte[]> e : m.getValue().entrySet()) {
        d.add(m.getKey(), e.getKey(), e.getValue());
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

  private long rebuild(JournalFile.ScanResult scan) {
    digest.set(0, 0, 0);
    metaRebuilding.set(1);
    db.commit();
    long[] pending = {0};
    long[] records = {0};
    JournalFile.scan(
        journalPath,
        journal,
        options.maxRecordBytes(),
        r -> {
          applyOps(r.ops());
          records[0]++;
          pending[0] += r.ops().size();
          if (pending[0] >= REBUILD_COMMIT_OPS) {
            db.commit();
            pending[0] = 0;
          }
        });
    metaSeq.set(scan.lastSeq());
    storeDigest();
    metaRebuilding.set(0);
    db.commit();
    return records[0];
  }

  private long replayTail(JournalFile.ScanResult scan, long fromSeq) {
    if (fromSeq >= scan.lastSeq()) {
      return 0;
    }
    long[] records = {0};
    JournalFile.scan(
        journalPath,
        journal,
        options.maxRecordBytes(),
        r -> {
          if (r.kind() == JournalRecord.BATCH && r.seq() > fromSeq) {
            applyOps(r.ops());
            records[0]++;
          }
        });
    return records[0];
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
      BTreeMap<byte[], byte[]> m = maps.get(map);
      byte[] v = m == null ? null : m.get(key);
      return Optional.ofNullable(v == null ? null : v.clone());
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
      return scanLayers(map, prefix, limit, List.of());
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
    Objects.requireNonNull(fn, "fn");
    CompletableFuture<Object> f = new CompletableFuture<>();
    submit(new UpdateReq(fn, f));
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
    long intervalNanos = options.checkpointInterval().toNanos();
    try {
      while (true) {
        long untilCheckpoint = lastCheckpointNanos + intervalNanos - System.nanoTime();
        Request first = queue.poll(Math.max(1, untilCheckpoint), TimeUnit.NANOSECONDS);
        if (first == null) {
          maybeCheckpoint();
          continue;
        }
        List<Request> group = new ArrayList<>();
        Request control = null;
        if (first instanceof CompactReq || first instanceof CloseReq) {
          control = first;
        } else {
          group.add(first);
          int ops = weight(first);
          long deadline = System.nanoTime() + delayNanos;
          while (ops < options.maxOpsPerGroup()) {
            long wait = deadline - System.nanoTime();
            Request r = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
            if (r == null) {
              break;
            }
            if (r instanceof CompactReq || r instanceof CloseReq) {
              control = r;
              break;
            }
            group.add(r);
            ops += weight(r);
          }
          commitGroup(group);
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
        maybeCheckpoint();
        maybeAutoCompact();
      }
    } catch (InterruptedException e) {
      failure = "writer thread interrupted";
      state = State.FAILED;
      stopAbruptly();
    } catch (RuntimeException | Error e) {
      logger.error("store writer for {} failed; the store must be reopened", dir, e);
      failure = String.valueOf(e);
      state = State.FAILED;
      stopAbruptly();
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

  private void commitGroup(List<Request> group) {
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
          completer.execute(() -> u.future().completeExceptionally(e));
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
          completer.execute(() -> u.future().completeExceptionally(se));
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
      try {
        if (truncatePending >= 0) {
          journal.truncate(truncatePending);
          truncatePending = -1;
        }
        JournalFile.writeFully(journal, buf, start);
        AppendHook hook = appendHook;
        if (hook != null) {
          hook.afterWrite(journal, start, start + bytes);
        }
        force();
      } catch (IOException e) {
        logger.warn("journal append of {} bytes failed: {}", bytes, e.toString());
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
      journalEnd = start + bytes;
      nextSeq = seq;
      visibility.writeLock().lock();
      try {
        for (Pending p : pendings) {
          if (p.seq >= 0) {
            applyOps(p.ops);
            appliedSeq = p.seq;
          }
        }
      } catch (RuntimeException | Error e) {
        failGroup(
            pendings,
            new StoreException(
                "journaled, but the MapDB state could not be updated; reopen the store: " + e, e));
        throw e;
      } finally {
        visibility.writeLock().unlock();
      }
    }
    completer.execute(
        () -> {
          for (Pending p : pendings) {
            if (p.request instanceof WriteReq w) {
              w.future().complete(null);
            } else if (p.request instanceof UpdateReq u) {
              u.future().complete(p.result);
            }
          }
        });
  }

  private void failGroup(List<Pending> pendings, StoreException e) {
    completer.execute(
        () -> {
          for (Pending p : pendings) {
            failRequest(p.request, e);
          }
        });
  }

  private void force() throws IOException {
    if (!options.fsyncDisabledForTestsOnly()) {
      journal.force(false);
    }
    forces.incrementAndGet();
  }

  /** Applies ops to MapDB (writer thread; the caller holds the write lock when readers run). */
  private void applyOps(List<Batch.Op> ops) {
    for (Batch.Op op : ops) {
      BTreeMap<byte[], byte[]> m = maps.get(op.map());
      if (op.isDelete()) {
        if (m != null) {
          byte[] old = m.remove(op.key());
          if (old != null) {
            digest.remove(op.map(), op.key(), old);
          }
        }
      } else {
        if (m == null) {
          m = openMap(MAP_PREFIX + op.map());
          maps.put(op.map(), m);
        }
        byte[] old = m.put(op.key(), op.value());
        if (old != null) {
          digest.remove(op.map(), op.key(), old);
        }
        digest.add(op.map(), op.key(), op.value());
      }
    }
  }

  private void storeDigest() {
    metaDigest.set(digest.hash);
    metaCount.set(digest.count);
    metaBytes.set(digest.bytes);
  }

  private void maybeCheckpoint() {
    if (System.nanoTime() - lastCheckpointNanos >= options.checkpointInterval().toNanos()) {
      checkpoint();
    }
  }

  private void checkpoint() {
    lastCheckpointNanos = System.nanoTime();
    if (appliedSeq == checkpointSeq && metaSeq.get() == appliedSeq) {
      return;
    }
    metaSeq.set(appliedSeq);
    storeDigest();
    db.commit();
    checkpointSeq = appliedSeq;
    checkpoints.incrementAndGet();
  }

  private void maybeAutoCompact() {
    if (journalEnd > options.compactionMinBytes()
        && journalEnd > options.compactionRatio() * Math.max(1, digest.bytes)) {
      runCompaction(null);
    }
  }

  private void runCompaction(CompletableFuture<Void> future) {
    long t0 = System.nanoTime();
    long before = journalEnd;
    Path tmp = dir.resolve(JOURNAL_COMPACT);
    try {
      checkpoint();
      long base = nextSeq - 1;
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
        for (Map.Entry<String, BTreeMap<byte[], byte[]>> m : new TreeMap<>(maps).entrySet()) {
          for (Map.Entry<byte[], byte[]> e : m.getValue().entrySet()) {
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

  private static long writeSnapshot(
      FileChannel out, long pos, long base, List<Batch.Op> ops, int payloadSize)
      throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(JournalRecord.HEADER_BYTES + payloadSize);
    JournalRecord.encode(base, JournalRecord.SNAPSHOT, ops, payloadSize, buf);
    buf.flip();
    JournalFile.writeFully(out, buf, pos);
    return JournalRecord.HEADER_BYTES + payloadSize;
  }

  private void shutdown(CloseReq c) {
    try {
      checkpoint();
      visibility.writeLock().lock();
      try {
        db.close();
        db = null;
        maps.clear();
        state = State.CLOSED;
      } finally {
        visibility.writeLock().unlock();
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
    } catch (IOException | RuntimeException e) {
      logger.warn("closing store {} failed: {}", dir, e.toString());
      state = State.CLOSED;
      stopAbruptly();
      c.future().completeExceptionally(new StoreException("close failed: " + e.getMessage(), e));
    } finally {
      completer.shutdown();
    }
  }

  /** Releases files and the lock without a checkpoint or a clean marker (a crash, in effect). */
  private void stopAbruptly() {
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

  /** Writes of the current group not yet applied to MapDB; {@link #TOMBSTONE} marks a delete. */
  private static final class Overlay {
    final Map<String, TreeMap<byte[], byte[]>> maps = new HashMap<>();

    void apply(List<Batch.Op> ops) {
      for (Batch.Op op : ops) {
        put(op.map(), op.key(), op.isDelete() ? TOMBSTONE : op.value());
      }
    }

    void put(String map, byte[] key, byte[] value) {
      maps.computeIfAbsent(map, k -> new TreeMap<>(Unsigned.ORDER)).put(key, value);
    }
  }

  /** Looks {@code key} up through the overlays (topmost first), then MapDB. */
  private Optional<byte[]> lookup(String map, byte[] key, List<Overlay> layers) {
    for (Overlay o : layers) {
      TreeMap<byte[], byte[]> t = o.maps.get(map);
      if (t != null) {
        byte[] v = t.get(key);
        if (v != null) {
          return v == TOMBSTONE ? Optional.empty() : Optional.of(v.clone());
        }
      }
    }
    BTreeMap<byte[], byte[]> m = maps.get(map);
    byte[] v = m == null ? null : m.get(key);
    return Optional.ofNullable(v == null ? null : v.clone());
  }

  /** Merges MapDB with the overlays (topmost first) in unsigned key order. */
  private List<Entry> scanLayers(String map, byte[] prefix, int limit, List<Overlay> layers) {
    TreeMap<byte[], byte[]> over = new TreeMap<>(Unsigned.ORDER);
    for (int i = layers.size() - 1; i >= 0; i--) {
      TreeMap<byte[], byte[]> t = layers.get(i).maps.get(map);
      if (t != null) {
        over.putAll(Unsigned.prefixView(t, prefix));
      }
    }
    BTreeMap<byte[], byte[]> m = maps.get(map);
    Iterator<Map.Entry<byte[], byte[]>> a =
        m == null
            ? Collections.emptyIterator()
            : Unsigned.prefixView((NavigableMap<byte[], byte[]>) m, prefix).entrySet().iterator();
    Iterator<Map.Entry<byte[], byte[]>> b = over.entrySet().iterator();
    List<Entry> out = new ArrayList<>(Math.min(limit, 1024));
    Map.Entry<byte[], byte[]> ea = a.hasNext() ? a.next() : null;
    Map.Entry<byte[], byte[]> eb = b.hasNext() ? b.next() : null;
    while (out.size() < limit && (ea != null || eb != null)) {
      int c = ea == null ? 1 : eb == null ? -1 : Unsigned.ORDER.compare(ea.getKey(), eb.getKey());
      Map.Entry<byte[], byte[]> pick;
      if (c < 0) {
        pick = ea;
        ea = a.hasNext() ? a.next() : null;
      } else {
        pick = eb;
        eb = b.hasNext() ? b.next() : null;
        if (c == 0) {
          ea = a.hasNext() ? a.next() : null;
        }
      }
      if (pick.getValue() != TOMBSTONE) {
        out.add(new Entry(pick.getKey().clone(), pick.getValue().clone()));
      }
    }
    return out;
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

    @Override
    public Optional<byte[]> get(String map, byte[] key) {
      check();
      JournalRecord.checkMapName(map);
      return lookup(map, Objects.requireNonNull(key, "key"), List.of(own, group));
    }

    @Override
    public List<Entry> scan(String map, byte[] prefix, int limit) {
      check();
      JournalRecord.checkMapName(map);
      if (limit < 0) {
        throw new IllegalArgumentException("limit must be >= 0, got " + limit);
      }
      return scanLayers(map, Objects.requireNonNull(prefix, "prefix"), limit, List.of(own, group));
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
      own.put(map, op.key(), TOMBSTONE);
    }
  }
}
