package dev.sotto.store;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * What {@link JournaledStore#open} found and did.
 *
 * @param cleanShutdown the previous process closed the store cleanly
 * @param rebuilt the MapDB state was unusable (or inconsistent with the journal) and was rebuilt
 *     from the whole journal
 * @param movedAside where the broken MapDB file was moved, if it was
 * @param replayedRecords journal records applied to MapDB during the open
 * @param truncatedBytes bytes of a torn journal tail that were cut off
 * @param journalRecords valid records the journal holds after the open (0: nothing was ever written
 *     to it, or nothing of it survived: then {@code truncatedBytes} tells which)
 * @param openTime how long the open took
 * @param phases where the open spent its time
 */
public record RecoveryReport(
    boolean cleanShutdown,
    boolean rebuilt,
    Optional<Path> movedAside,
    long replayedRecords,
    long truncatedBytes,
    long journalRecords,
    Duration openTime,
    Phases phases) {

  /**
   * Durations of the phases of an open.
   *
   * @param prepare locking, removing files left by an unfinished compaction, opening the journal
   * @param stateOpen opening the MapDB file
   * @param stateVerify after an unclean shutdown, walking MapDB to check its digest
   * @param journal one pass over the journal that validates every record (CRC) and folds the tail
   *     past MapDB's position into the memtable (for a rebuild: moving the broken file aside and
   *     folding the whole journal), cutting a torn tail
   * @param spills times the fold was large enough to be applied to MapDB during the open
   */
  public record Phases(
      Duration prepare, Duration stateOpen, Duration stateVerify, Duration journal, long spills) {}
}
