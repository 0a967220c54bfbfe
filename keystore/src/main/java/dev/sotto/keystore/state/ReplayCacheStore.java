package dev.sotto.keystore.state;

/**
 * {@code SHA-256(EK || CT)} of every accepted PreKeyMessage, kept while the signed prekey or the
 * KEM prekey it used is kept, so a first message cannot be replayed after its one-time prekeys are
 * gone. It grows by one 40-byte entry per accepted session set-up and shrinks when prekeys are
 * removed.
 */
public interface ReplayCacheStore {
  /** Returns whether this replay id was seen. */
  boolean containsReplayId(byte[] replayId);

  /** Remembers a replay id together with the prekeys it used. */
  void addReplayId(byte[] replayId, int signedPreKeyId, int kemPreKeyId);

  /** Forgets the entries that used this signed prekey (a replay of them can no longer decrypt). */
  void removeForSignedPreKey(int signedPreKeyId);

  /** Forgets the entries that used this KEM prekey. */
  void removeForKemPreKey(int kemPreKeyId);
}
