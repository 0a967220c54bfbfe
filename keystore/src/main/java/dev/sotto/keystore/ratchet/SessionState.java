package dev.sotto.keystore.ratchet;

import dev.sotto.keystore.DuplicateMessageException;
import dev.sotto.keystore.InvalidKeyException;
import dev.sotto.keystore.InvalidMessageException;
import dev.sotto.keystore.InvalidRecordException;
import dev.sotto.keystore.codec.ByteReader;
import dev.sotto.keystore.codec.ByteWriter;
import dev.sotto.keystore.codec.MalformedException;
import dev.sotto.keystore.crypto.AesGcm;
import dev.sotto.keystore.crypto.MlKem768;
import dev.sotto.keystore.crypto.X25519KeyPair;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state of one Double Ratchet session, and the ratchet itself.
 *
 * <p>{@link #encrypt} and {@link #decrypt} mutate the state: callers (the {@code SessionCipher})
 * run them on a {@link #copy()} and store the copy only on success, so a failed decryption changes
 * nothing.
 *
 * <p>Bounds: {@value #MAX_SKIP} skipped messages per chain, {@value #MAX_SKIPPED_KEYS} stored
 * skipped keys per session (oldest evicted), {@value #MAX_OLD_CHAINS} remembered old receiving
 * chains.
 *
 * <p>Record layout ({@link #serialize()}), all integers big-endian:
 *
 * <pre>
 * 0x52 || 0x01
 * || local identity key bytes (64) || remote identity key bytes (64)
 * || root key (32) || sending ratchet private key (32) || sending ratchet public key (32)
 * || flags (u8: bit 0 remote ratchet key, bit 1 sending chain, bit 2 receiving chain, bit 3 pending,
 *    bit 4 we are the initiator)
 * || [remote ratchet key (32)] || [sending chain key (32)] || u32 Ns || u32 PN
 * || [receiving chain key (32)] || u32 Nr
 * || replay id (32)
 * || [pending: u32 spk id || u32 opk id || u32 pqpk id || base key (32) || KEM ciphertext (1088)]
 * || u8 old chain count (at most 5) || old receiving ratchet keys (32 each, oldest first)
 * || u16 skipped count (at most 2000) || (ratchet key (32) || u32 N || message key (32)) each, oldest first
 * </pre>
 */
public final class SessionState {
  /** The largest number of message keys skipped in one chain. */
  public static final int MAX_SKIP = 1000;

  /** The largest number of skipped message keys kept per session. */
  public static final int MAX_SKIPPED_KEYS = 2000;

  /** The largest number of old receiving chains whose keys are kept. */
  public static final int MAX_OLD_CHAINS = 5;

  /** The protocol version byte appended to the associated data. */
  public static final int PROTOCOL_VERSION = 0x01;

  private static final int RECORD_TYPE = 0x52;
  private static final int RECORD_VERSION = 0x01;

  private record SkippedKey(ByteBuffer ratchetKey, int counter) {}

  private final byte[] localIdentity;
  private final byte[] remoteIdentity;
  private final byte[] replayId;
  private boolean initiator;
  private byte[] rootKey;
  private X25519KeyPair sendingRatchetKey;
  private byte[] remoteRatchetKey;
  private byte[] sendingChainKey;
  private int sendCounter;
  private int previousCounter;
  private byte[] receivingChainKey;
  private int receiveCounter;
  private PendingPreKey pending;
  private final ArrayDeque<byte[]> oldReceivingKeys = new ArrayDeque<>();
  private final LinkedHashMap<SkippedKey, byte[]> skipped = new LinkedHashMap<>();

  private SessionState(byte[] localIdentity, byte[] remoteIdentity, byte[] replayId) {
    if (localIdentity.length != 64 || remoteIdentity.length != 64 || replayId.length != 32) {
      throw new IllegalArgumentException("expected 64-byte identities and a 32-byte replay id");
    }
    this.localIdentity = localIdentity.clone();
    this.remoteIdentity = remoteIdentity.clone();
    this.replayId = replayId.clone();
  }

  /**
   * {@code RatchetInitAlice(SK, SPK_B)}: the initiator's state after PQXDH.
   *
   * @param localIdentity our identity key bytes (Ed25519 || X25519)
   * @param remoteIdentity the responder's identity key bytes
   * @param sharedKey SK from PQXDH, the first root key
   * @param theirSignedPreKey the responder's signed prekey, its first ratchet key
   * @param ourRatchetKey a fresh ratchet key pair
   * @param pending what to repeat in PreKeyMessages
   * @param replayId {@code SHA-256(EK || CT)}
   * @throws InvalidKeyException if the signed prekey is a small-order point
   */
  public static SessionState initiator(
      byte[] localIdentity,
      byte[] remoteIdentity,
      byte[] sharedKey,
      byte[] theirSignedPreKey,
      X25519KeyPair ourRatchetKey,
      PendingPreKey pending,
      byte[] replayId)
      throws InvalidKeyException {
    SessionState s = new SessionState(localIdentity, remoteIdentity, replayId);
    s.sendingRatchetKey = ourRatchetKey;
    s.remoteRatchetKey = theirSignedPreKey.clone();
    RatchetKdf.RootAndChain rc =
        RatchetKdf.kdfRk(sharedKey, ourRatchetKey.agree(theirSignedPreKey));
    s.rootKey = rc.rootKey();
    s.sendingChainKey = rc.chainKey();
    s.pending = pending;
    s.initiator = true;
    return s;
  }

  /**
   * {@code RatchetInitBob(SK, SPK_B)}: the responder's state after PQXDH.
   *
   * @param localIdentity our identity key bytes
   * @param remoteIdentity the initiator's identity key bytes
   * @param sharedKey SK from PQXDH
   * @param ourSignedPreKey our signed prekey pair, our first ratchet key
   * @param replayId {@code SHA-256(EK || CT)}
   */
  public static SessionState responder(
      byte[] localIdentity,
      byte[] remoteIdentity,
      byte[] sharedKey,
      X25519KeyPair ourSignedPreKey,
      byte[] replayId) {
    SessionState s = new SessionState(localIdentity, remoteIdentity, replayId);
    s.sendingRatchetKey = ourSignedPreKey;
    s.rootKey = sharedKey.clone();
    return s;
  }

  /** Returns a deep copy. */
  public SessionState copy() {
    SessionState c = new SessionState(localIdentity, remoteIdentity, replayId);
    c.initiator = initiator;
    c.rootKey = rootKey.clone();
    c.sendingRatchetKey = sendingRatchetKey;
    c.remoteRatchetKey = clone(remoteRatchetKey);
    c.sendingChainKey = clone(sendingChainKey);
    c.sendCounter = sendCounter;
    c.previousCounter = previousCounter;
    c.receivingChainKey = clone(receivingChainKey);
    c.receiveCounter = receiveCounter;
    c.pending = pending;
    for (byte[] k : oldReceivingKeys) {
      c.oldReceivingKeys.addLast(k.clone());
    }
    for (Map.Entry<SkippedKey, byte[]> e : skipped.entrySet()) {
      c.skipped.put(e.getKey(), e.getValue().clone());
    }
    return c;
  }

  /** Returns {@code AD = initiator identity || responder identity || version}, 129 bytes. */
  public byte[] associatedData() {
    boolean weInitiated = initiator;
    return ByteWriter.concat(
        weInitiated ? localIdentity : remoteIdentity,
        weInitiated ? remoteIdentity : localIdentity,
        new byte[] {PROTOCOL_VERSION});
  }

  /** Returns our identity key bytes. */
  public byte[] localIdentity() {
    return localIdentity.clone();
  }

  /** Returns the peer's identity key bytes. */
  public byte[] remoteIdentity() {
    return remoteIdentity.clone();
  }

  /** Returns {@code SHA-256(EK || CT)} of the PQXDH run that started this session. */
  public byte[] replayId() {
    return replayId.clone();
  }

  /** Returns whether {@code id} is this session's replay id (constant time). */
  public boolean hasReplayId(byte[] id) {
    return MessageDigest.isEqual(replayId, id);
  }

  /** Returns the PreKeyMessage fields to repeat, or null once the peer has answered. */
  public PendingPreKey pending() {
    return pending;
  }

  /** Returns how many skipped message keys are stored. */
  public int skippedKeyCount() {
    return skipped.size();
  }

  /** Returns the number of the next message this side will send in its current chain. */
  public int sendCounter() {
    return sendCounter;
  }

  /**
   * {@code RatchetEncrypt}: pads and encrypts one plaintext.
   *
   * @throws IllegalStateException if this side cannot send yet (a responder before any message)
   */
  public RatchetMessage encrypt(byte[] plaintext) {
    if (sendingChainKey == null) {
      throw new IllegalStateException("no sending chain yet");
    }
    if (sendCounter == Integer.MAX_VALUE) {
      throw new IllegalStateException("sending chain exhausted");
    }
    RatchetKdf.MessageAndChain mc = RatchetKdf.kdfCk(sendingChainKey);
    byte[] ratchetPublic = sendingRatchetKey.publicKey();
    byte[] header = RatchetMessage.header(ratchetPublic, previousCounter, sendCounter);
    RatchetKdf.AeadKey k = RatchetKdf.messageKeys(mc.messageKey());
    byte[] ct =
        AesGcm.encrypt(
            k.key(),
            k.nonce(),
            Padding.pad(plaintext),
            ByteWriter.concat(associatedData(), header));
    RatchetMessage m = new RatchetMessage(ratchetPublic, previousCounter, sendCounter, ct);
    sendingChainKey = mc.nextChainKey();
    sendCounter++;
    return m;
  }

  /**
   * {@code RatchetDecrypt}: decrypts one message, advancing this state. Run it on a copy.
   *
   * @throws InvalidMessageException if the message does not authenticate, skips more than {@value
   *     #MAX_SKIP} keys, or carries a small-order ratchet key
   * @throws DuplicateMessageException if its message key was already used
   */
  public byte[] decrypt(RatchetMessage message, SecureRandom random)
      throws InvalidMessageException, DuplicateMessageException {
    byte[] theirKey = message.ratchetKey();
    byte[] messageKey =
        skipped.remove(new SkippedKey(ByteBuffer.wrap(theirKey), message.counter()));
    if (messageKey == null) {
      if (message.hasRatchetKey(remoteRatchetKey)) {
        if (message.counter() < receiveCounter) {
          throw new DuplicateMessageException("message key already used (counter)");
        }
        skipTo(message.counter());
      } else if (isOldChain(theirKey)) {
        throw new DuplicateMessageException("message key of an old chain already used");
      } else {
        if (receivingChainKey != null) {
          skipTo(message.previousCounter());
        }
        if (message.counter() > MAX_SKIP) {
          throw new InvalidMessageException("message skips more than " + MAX_SKIP + " keys");
        }
        dhRatchet(theirKey, random);
        skipTo(message.counter());
      }
      if (receivingChainKey == null) {
        throw new InvalidMessageException("no receiving chain");
      }
      RatchetKdf.MessageAndChain mc = RatchetKdf.kdfCk(receivingChainKey);
      receivingChainKey = mc.nextChainKey();
      receiveCounter++;
      messageKey = mc.messageKey();
    }
    RatchetKdf.AeadKey k = RatchetKdf.messageKeys(messageKey);
    byte[] padded =
        AesGcm.decrypt(
            k.key(),
            k.nonce(),
            message.ciphertext(),
            ByteWriter.concat(associatedData(), message.header()));
    byte[] plaintext = Padding.unpad(padded);
    pending = null;
    while (skipped.size() > MAX_SKIPPED_KEYS) {
      Iterator<SkippedKey> it = skipped.keySet().iterator();
      it.next();
      it.remove();
    }
    return plaintext;
  }

  private void skipTo(int until) throws InvalidMessageException {
    if ((long) until - receiveCounter > MAX_SKIP) {
      throw new InvalidMessageException("message skips more than " + MAX_SKIP + " keys");
    }
    if (receivingChainKey == null) {
      return;
    }
    ByteBuffer key = ByteBuffer.wrap(remoteRatchetKey.clone());
    while (receiveCounter < until) {
      RatchetKdf.MessageAndChain mc = RatchetKdf.kdfCk(receivingChainKey);
      skipped.put(new SkippedKey(key, receiveCounter), mc.messageKey());
      receivingChainKey = mc.nextChainKey();
      receiveCounter++;
    }
  }

  private boolean isOldChain(byte[] key) {
    for (byte[] k : oldReceivingKeys) {
      if (Arrays.equals(k, key)) {
        return true;
      }
    }
    return false;
  }

  private void dhRatchet(byte[] theirKey, SecureRandom random) throws InvalidMessageException {
    try {
      if (remoteRatchetKey != null && receivingChainKey != null) {
        oldReceivingKeys.addLast(remoteRatchetKey);
        if (oldReceivingKeys.size() > MAX_OLD_CHAINS) {
          ByteBuffer evicted = ByteBuffer.wrap(oldReceivingKeys.removeFirst());
          skipped.keySet().removeIf(s -> s.ratchetKey().equals(evicted));
        }
      }
      previousCounter = sendCounter;
      sendCounter = 0;
      receiveCounter = 0;
      remoteRatchetKey = theirKey.clone();
      RatchetKdf.RootAndChain r = RatchetKdf.kdfRk(rootKey, sendingRatchetKey.agree(theirKey));
      rootKey = r.rootKey();
      receivingChainKey = r.chainKey();
      sendingRatchetKey = X25519KeyPair.generate(random);
      RatchetKdf.RootAndChain s = RatchetKdf.kdfRk(rootKey, sendingRatchetKey.agree(theirKey));
      rootKey = s.rootKey();
      sendingChainKey = s.chainKey();
    } catch (InvalidKeyException e) {
      throw new InvalidMessageException("invalid ratchet key: " + e.getMessage());
    }
  }

  /** Returns the record bytes (layout in the class Javadoc). */
  public byte[] serialize() {
    int flags =
        (remoteRatchetKey != null ? 1 : 0)
            | (sendingChainKey != null ? 2 : 0)
            | (receivingChainKey != null ? 4 : 0)
            | (pending != null ? 8 : 0)
            | (initiator ? 16 : 0);
    ByteWriter w = new ByteWriter(512 + skipped.size() * 68);
    w.u8(RECORD_TYPE).u8(RECORD_VERSION).bytes(localIdentity).bytes(remoteIdentity);
    w.bytes(rootKey)
        .bytes(sendingRatchetKey.privateKey())
        .bytes(sendingRatchetKey.publicKey())
        .u8(flags);
    if (remoteRatchetKey != null) {
      w.bytes(remoteRatchetKey);
    }
    if (sendingChainKey != null) {
      w.bytes(sendingChainKey);
    }
    w.u32(sendCounter).u32(previousCounter);
    if (receivingChainKey != null) {
      w.bytes(receivingChainKey);
    }
    w.u32(receiveCounter).bytes(replayId);
    if (pending != null) {
      w.u32(pending.signedPreKeyId())
          .u32(pending.oneTimePreKeyId())
          .u32(pending.kemPreKeyId())
          .bytes(pending.baseKey())
          .bytes(pending.kemCiphertext());
    }
    w.u8(oldReceivingKeys.size());
    for (byte[] k : oldReceivingKeys) {
      w.bytes(k);
    }
    w.u16(skipped.size());
    for (Map.Entry<SkippedKey, byte[]> e : skipped.entrySet()) {
      byte[] k = new byte[32];
      e.getKey().ratchetKey().duplicate().get(k);
      w.bytes(k).u32(e.getKey().counter()).bytes(e.getValue());
    }
    return w.toByteArray();
  }

  /**
   * Parses a record written by {@link #serialize()}, strictly: unknown type, version or flag bits,
   * counts over the bounds, negative counters, truncation and trailing bytes are all rejected.
   *
   * @throws InvalidRecordException if the bytes are not a session record
   */
  public static SessionState deserialize(byte[] bytes) throws InvalidRecordException {
    try {
      ByteReader r = new ByteReader(bytes);
      if (r.u8() != RECORD_TYPE || r.u8() != RECORD_VERSION) {
        throw new InvalidRecordException("not a session record (type or version)");
      }
      byte[] local = r.bytes(64);
      byte[] remote = r.bytes(64);
      byte[] root = r.bytes(32);
      byte[] ratchetPrivate = r.bytes(32);
      byte[] ratchetPublic = r.bytes(32);
      int flags = r.u8();
      if ((flags & ~0x1F) != 0) {
        throw new InvalidRecordException("session record has unknown flags");
      }
      byte[] remoteRatchet = (flags & 1) != 0 ? r.bytes(32) : null;
      byte[] sendChain = (flags & 2) != 0 ? r.bytes(32) : null;
      int ns = r.u32();
      int pn = r.u32();
      byte[] recvChain = (flags & 4) != 0 ? r.bytes(32) : null;
      int nr = r.u32();
      byte[] replay = r.bytes(32);
      PendingPreKey pend = null;
      if ((flags & 8) != 0) {
        int spk = r.u32();
        int opk = r.u32();
        int pqpk = r.u32();
        pend = new PendingPreKey(spk, opk, pqpk, r.bytes(32), r.bytes(MlKem768.CIPHERTEXT_LENGTH));
        if (spk < 1 || opk < 0 || pqpk < 1) {
          throw new InvalidRecordException("session record has invalid prekey ids");
        }
      }
      if (ns < 0 || pn < 0 || nr < 0) {
        throw new InvalidRecordException("session record has negative counters");
      }
      SessionState s = new SessionState(local, remote, replay);
      s.initiator = (flags & 16) != 0;
      s.rootKey = root;
      s.sendingRatchetKey = X25519KeyPair.fromStoredPair(ratchetPrivate, ratchetPublic);
      s.remoteRatchetKey = remoteRatchet;
      s.sendingChainKey = sendChain;
      s.sendCounter = ns;
      s.previousCounter = pn;
      s.receivingChainKey = recvChain;
      s.receiveCounter = nr;
      s.pending = pend;
      int old = r.u8();
      if (old > MAX_OLD_CHAINS) {
        throw new InvalidRecordException("session record has too many old chains");
      }
      for (int i = 0; i < old; i++) {
        s.oldReceivingKeys.addLast(r.bytes(32));
      }
      int count = r.u16();
      if (count > MAX_SKIPPED_KEYS) {
        throw new InvalidRecordException("session record has too many skipped keys");
      }
      for (int i = 0; i < count; i++) {
        ByteBuffer key = ByteBuffer.wrap(r.bytes(32));
        int n = r.u32();
        byte[] mk = r.bytes(32);
        if (n < 0 || s.skipped.put(new SkippedKey(key, n), mk) != null) {
          throw new InvalidRecordException("session record has an invalid skipped key");
        }
      }
      r.end();
      return s;
    } catch (MalformedException e) {
      throw new InvalidRecordException("session record: " + e.getMessage());
    }
  }

  private static byte[] clone(byte[] b) {
    return b == null ? null : b.clone();
  }

  @Override
  public String toString() {
    return "SessionState[ns="
        + sendCounter
        + ", nr="
        + receiveCounter
        + ", skipped="
        + skipped.size()
        + "]";
  }
}
