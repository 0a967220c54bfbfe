package dev.sotto.keystore;

import dev.sotto.keystore.identity.IdentityKey;
import dev.sotto.keystore.identity.IdentityKeyPair;
import dev.sotto.keystore.pqxdh.Pqxdh;
import dev.sotto.keystore.pqxdh.PreKeyMessage;
import dev.sotto.keystore.prekey.KemPreKeyRecord;
import dev.sotto.keystore.prekey.PreKeyRecord;
import dev.sotto.keystore.prekey.SignedPreKeyRecord;
import dev.sotto.keystore.ratchet.PendingPreKey;
import dev.sotto.keystore.ratchet.RatchetMessage;
import dev.sotto.keystore.ratchet.SessionRecord;
import dev.sotto.keystore.ratchet.SessionState;
import dev.sotto.keystore.state.ReplayCacheStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encrypts and decrypts end-to-end messages with the Double Ratchet.
 *
 * <p>Every call is transactional: it loads a copy of the session, does all the cryptography, and
 * only then writes (session, used prekeys, replay cache, pinned identity). A call that throws has
 * changed nothing, so the same ciphertext can be retried, for instance after the user trusted a new
 * identity.
 *
 * <p>Security guarantees: confidentiality and integrity of each message, authentication of the
 * sender's identity, forward secrecy per message, and post-compromise recovery once this side has
 * answered a new ratchet key of the peer with a key generated after the compromise (classical
 * X25519 only; see SECURITY.md). Replays, reflections and messages spliced from other sessions are
 * rejected. Not thread-safe per address: callers serialize calls for one address.
 */
public final class SessionCipher {
  private static final Logger logger = LoggerFactory.getLogger(SessionCipher.class);

  private final KeyStores stores;
  private final SecureRandom random;

  /**
   * Creates a cipher.
   *
   * @param stores the account's stores
   * @param random the source of ratchet keys
   */
  public SessionCipher(KeyStores stores, SecureRandom random) {
    this.stores = Objects.requireNonNull(stores);
    this.random = Objects.requireNonNull(random);
  }

  /**
   * Encrypts a plaintext for {@code address}: a PreKeyMessage until the peer has answered, then a
   * RatchetMessage.
   *
   * @param plaintext at most {@code Padding.MAX_PLAINTEXT} bytes
   * @throws NoSessionException if there is no session with the address
   * @throws UntrustedIdentityException if the pinned identity no longer matches the session's
   */
  public byte[] encrypt(ProtocolAddress address, byte[] plaintext)
      throws NoSessionException, UntrustedIdentityException {
    SessionRecord record = loadRecord(address);
    SessionState session = record.current();
    checkTrusted(address, session);
    RatchetMessage message = session.encrypt(plaintext);
    PendingPreKey pending = session.pending();
    byte[] out;
    if (pending != null) {
      IdentityKeyPair ours = stores.identity().identityKeyPair();
      out =
          new PreKeyMessage(
                  ours.publicKey(),
                  pending.signedPreKeyId(),
                  pending.oneTimePreKeyId(),
                  pending.kemPreKeyId(),
                  pending.baseKey(),
                  pending.kemCiphertext(),
                  message)
              .serialize();
    } else {
      out = message.serialize();
    }
    stores.sessions().storeSession(address, record);
    return out;
  }

  /**
   * Decrypts a ciphertext from {@code address}.
   *
   * @throws InvalidMessageException if it is malformed, does not authenticate, names prekeys we do
   *     not have, or skips too many messages; also a first message that used no one-time prekey
   *     while the replay cache is full and no older signed prekey can be retired to make room (see
   *     {@link ReplayCacheStore})
   * @throws DuplicateMessageException if it was already decrypted (or is a replayed first message)
   * @throws UntrustedIdentityException if the sender's identity differs from the pinned one
   * @throws NoSessionException if it is a RatchetMessage and there is no session
   */
  public byte[] decrypt(ProtocolAddress address, byte[] ciphertext)
      throws InvalidMessageException,
          DuplicateMessageException,
          UntrustedIdentityException,
          NoSessionException {
    if (ciphertext == null || ciphertext.length == 0) {
      throw new InvalidMessageException("empty ciphertext");
    }
    int type = ciphertext[0] & 0xFF;
    if (type == RatchetMessage.TYPE) {
      RatchetMessage message = RatchetMessage.parse(ciphertext);
      SessionRecord record = loadRecord(address);
      checkTrusted(address, record.current());
      byte[] plaintext = decryptWithAny(record, message, null);
      stores.sessions().storeSession(address, record);
      return plaintext;
    }
    if (type == PreKeyMessage.TYPE) {
      return decryptPreKeyMessage(address, PreKeyMessage.parse(ciphertext));
    }
    throw new InvalidMessageException("unknown message type " + type);
  }

  /**
   * Decrypts with the current session, else with a previous one of the same peer identity (promoted
   * to current on success). With {@code replayId} set, only sessions started by that PQXDH run are
   * tried. Updates {@code record} only on success.
   */
  private byte[] decryptWithAny(SessionRecord record, RatchetMessage message, byte[] replayId)
      throws InvalidMessageException, DuplicateMessageException {
    byte[] identity = record.current().remoteIdentity();
    KeystoreException first = null;
    List<SessionState> states = new ArrayList<>();
    states.add(record.current());
    states.addAll(record.previousStates());
    for (int i = 0; i < states.size(); i++) {
      SessionState candidate = states.get(i);
      if (!MessageDigest.isEqual(identity, candidate.remoteIdentity())
          || (replayId != null && !candidate.hasReplayId(replayId))) {
        continue;
      }
      SessionState attempt = candidate.copy();
      try {
        byte[] plaintext = attempt.decrypt(message, random);
        if (i == 0) {
          record.replaceCurrent(attempt);
        } else {
          record.promotePrevious(i - 1, attempt);
        }
        return plaintext;
      } catch (DuplicateMessageException e) {
        throw e;
      } catch (InvalidMessageException e) {
        if (first == null) {
          first = e;
        }
      }
    }
    if (first instanceof InvalidMessageException e) {
      throw e;
    }
    throw new InvalidMessageException("no session matches this message");
  }

  private byte[] decryptPreKeyMessage(ProtocolAddress address, PreKeyMessage message)
      throws InvalidMessageException, DuplicateMessageException, UntrustedIdentityException {
    IdentityKeyPair ours = stores.identity().identityKeyPair();
    IdentityKey theirs = message.identityKey();
    if (theirs.equals(ours.publicKey())) {
      throw new InvalidMessageException("PreKeyMessage carries our own identity (reflected)");
    }
    if (!stores.identity().isTrusted(address, theirs)) {
      throw new UntrustedIdentityException(address);
    }
    byte[] replayId = message.replayId();
    Optional<SessionRecord> existing = stores.sessions().loadSession(address);
    if (existing.isPresent() && knows(existing.get(), replayId, theirs)) {
      SessionRecord record = existing.get();
      if (!theirs.hasKeyBytes(record.current().remoteIdentity())) {
        throw new InvalidMessageException("PreKeyMessage identity does not match its session");
      }
      byte[] plaintext = decryptWithAny(record, message.message(), replayId);
      stores.sessions().storeSession(address, record);
      return plaintext;
    }
    if (stores.replayCache().containsReplayId(replayId)) {
      throw new DuplicateMessageException("PreKeyMessage replayed");
    }
    SignedPreKeyRecord spk =
        stores
            .signedPreKeys()
            .loadSignedPreKey(message.signedPreKeyId())
            .orElseThrow(() -> new InvalidMessageException("unknown signed prekey"));
    PreKeyRecord opk = null;
    if (message.oneTimePreKeyId() != 0) {
      opk =
          stores
              .preKeys()
              .loadPreKey(message.oneTimePreKeyId())
              .orElseThrow(() -> new InvalidMessageException("unknown or used one-time prekey"));
    }
    KemPreKeyRecord kem =
        stores
            .kemPreKeys()
            .loadKemPreKey(message.kemPreKeyId())
            .orElseThrow(() -> new InvalidMessageException("unknown or used KEM prekey"));
    byte[] sk =
        Pqxdh.respond(
            ours,
            theirs,
            spk.keyPair(),
            opk == null ? null : opk.keyPair(),
            kem.keyPair(),
            message.baseKey(),
            message.kemCiphertext());
    SessionState session =
        SessionState.responder(
            ours.publicKey().keyBytes(), theirs.keyBytes(), sk, spk.keyPair(), replayId);
    byte[] plaintext = session.decrypt(message.message(), random);
    // Only a first message that consumed no one-time prekey can be replayed while its prekeys live.
    boolean needsReplayEntry = opk == null && kem.lastResort();
    List<Integer> retire = needsReplayEntry ? makeRoomInReplayCache(spk.id()) : List.of();
    if (stores.identity().pinnedIdentity(address).isEmpty()) {
      stores.identity().pin(address, theirs);
    }
    for (int id : retire) {
      stores.signedPreKeys().removeSignedPreKey(id);
      stores.replayCache().removeForSignedPreKey(id);
      logger.info("replay cache full: closed the window of signed prekey {}", id);
    }
    if (needsReplayEntry) {
      stores.replayCache().addReplayId(replayId, spk.id(), kem.id());
    }
    if (opk != null) {
      stores.preKeys().removePreKey(opk.id());
    }
    if (!kem.lastResort()) {
      stores.kemPreKeys().removeKemPreKey(kem.id());
    }
    SessionRecord record;
    if (existing.isPresent()) {
      record = existing.get();
      record.archiveCurrentAndSet(session);
    } else {
      record = SessionRecord.of(session);
    }
    stores.sessions().storeSession(address, record);
    logger.debug("session accepted from {} (one-time prekey: {})", address, opk != null);
    return plaintext;
  }

  /**
   * Returns the signed prekeys to retire so that one more replay-cache entry fits within {@link
   * ReplayCacheStore#capacity()}: the oldest that still have entries, never the newest nor {@code
   * usedSignedPreKeyId}. Deleting a signed prekey with its entries closes its replay window for
   * good (a replay names a key that is gone), so no replay becomes possible. Changes nothing.
   *
   * @throws InvalidMessageException if no such signed prekey can make room: the first message is
   *     refused (until the signed prekey is rotated)
   */
  private List<Integer> makeRoomInReplayCache(int usedSignedPreKeyId)
      throws InvalidMessageException {
    ReplayCacheStore cache = stores.replayCache();
    int excess = cache.size() + 1 - cache.capacity();
    if (excess <= 0) {
      return List.of();
    }
    List<SignedPreKeyRecord> byAge = new ArrayList<>(stores.signedPreKeys().loadSignedPreKeys());
    byAge.sort(
        Comparator.comparingLong(SignedPreKeyRecord::createdAtMillis)
            .thenComparingInt(SignedPreKeyRecord::id));
    Map<Integer, Integer> counts = cache.countsBySignedPreKey();
    List<Integer> retire = new ArrayList<>();
    for (int i = 0; i < byAge.size() - 1 && excess > 0; i++) {
      int id = byAge.get(i).id();
      int n = counts.getOrDefault(id, 0);
      if (id != usedSignedPreKeyId && n > 0) {
        retire.add(id);
        excess -= n;
      }
    }
    if (excess > 0) {
      logger.warn(
          "replay cache full ({} entries): refused a first message without one-time prekeys",
          cache.size());
      throw new InvalidMessageException(
          "first message refused: the replay cache is full ("
              + cache.capacity()
              + " sessions started without one-time prekeys under the live signed prekeys);"
              + " it empties when the signed prekey is rotated");
    }
    return retire;
  }

  private static boolean knows(SessionRecord record, byte[] replayId, IdentityKey theirs) {
    if (record.current().hasReplayId(replayId)) {
      return true;
    }
    for (SessionState s : record.previousStates()) {
      if (s.hasReplayId(replayId) && theirs.hasKeyBytes(s.remoteIdentity())) {
        return true;
      }
    }
    return false;
  }

  private SessionRecord loadRecord(ProtocolAddress address) throws NoSessionException {
    return stores
        .sessions()
        .loadSession(address)
        .orElseThrow(() -> new NoSessionException("no session with " + address));
  }

  private void checkTrusted(ProtocolAddress address, SessionState session)
      throws UntrustedIdentityException {
    Optional<IdentityKey> pinned = stores.identity().pinnedIdentity(address);
    if (pinned.isPresent() && !pinned.get().hasKeyBytes(session.remoteIdentity())) {
      throw new UntrustedIdentityException(address);
    }
  }
}
