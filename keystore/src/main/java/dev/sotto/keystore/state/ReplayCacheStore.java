package dev.sotto.keystore.state;

import java.util.Map;

/**
 * {@code SHA-256(EK || CT)} of the accepted PreKeyMessages that consumed no one-time prekey (no
 * one-time X25519 prekey, the last-resort ML-KEM prekey), each kept while the signed prekey and the
 * KEM prekey it used are kept, so such a first message cannot be replayed. A first message that
 * consumed a one-time prekey needs no entry: that prekey is deleted in the same commit, so a replay
 * of it no longer decrypts.
 *
 * <p><b>Bound.</b> The cache holds at most {@link #capacity()} entries (40 bytes each). {@code
 * SessionCipher} keeps it there: when it is full, it closes the window of the oldest signed prekey
 * that still has entries (other than the newest signed prekey and the one the new message used) by
 * deleting that signed prekey together with its entries, so the dropped entries can never be
 * replayed (their signed prekey is gone); if no such signed prekey is left, it refuses the new
 * first message instead. No entry is ever dropped while its signed prekey and KEM prekey remain.
 */
public interface ReplayCacheStore {
  /** The default bound on the number of entries (DESIGN.md "End-to-end encryption"). */
  int DEFAULT_CAPACITY = 4096;

  /** Returns whether this replay id was seen. */
  boolean containsReplayId(byte[] replayId);

  /**
   * Remembers a replay id together with the prekeys it used. Callers keep {@link #size()} within
   * {@link #capacity()} ({@code SessionCipher} makes room first or refuses the message).
   */
  void addReplayId(byte[] replayId, int signedPreKeyId, int kemPreKeyId);

  /** Forgets the entries that used this signed prekey (a replay of them can no longer decrypt). */
  void removeForSignedPreKey(int signedPreKeyId);

  /** Forgets the entries that used this KEM prekey. */
  void removeForKemPreKey(int kemPreKeyId);

  /** Returns the number of entries. */
  int size();

  /** Returns the number of entries per signed prekey id (ids without entries are absent). */
  Map<Integer, Integer> countsBySignedPreKey();

  /** Returns the most entries this cache may hold. */
  default int capacity() {
    return DEFAULT_CAPACITY;
  }
}
