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
import dev.sotto.keystore.ratchet.SessionState;
import java.security.SecureRandom;
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
 * answered a new ratchet key of the peer with a key generated after the compromise (classical X25519
 * only; see SECURITY.md). Replays, reflections and messages spliced from other sessions are
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
    SessionState session = loadSession(address);
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
    stores.sessions().storeSession(address, session);
    return out;
  }

  /**
   * Decrypts a ciphertext from {@code address}.
   *
   * @throws InvalidMessageException if it is malformed, does not authenticate, names prekeys we do
   *     not have, or skips too many messages
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
      SessionState session = loadSession(address);
      checkTrusted(address, session);
      byte[] plaintext = session.decrypt(message, random);
      stores.sessions().storeSession(address, session);
      return plaintext;
    }
    if (type == PreKeyMessage.TYPE) {
      return decryptPreKeyMessage(address, PreKeyMessage.parse(ciphertext));
    }
    throw new InvalidMessageException("unknown message type " + type);
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
    Optional<SessionState> existing = stores.sessions().loadSession(address);
    if (existing.isPresent() && existing.get().hasReplayId(replayId)) {
      SessionState session = existing.get();
      if (!theirs.hasKeyBytes(session.remoteIdentity())) {
        throw new InvalidMessageException("PreKeyMessage identity does not match its session");
      }
      byte[] plaintext = session.decrypt(message.message(), random);
      stores.sessions().storeSession(address, session);
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
    if (stores.identity().pinnedIdentity(address).isEmpty()) {
      stores.identity().pin(address, theirs);
    }
    stores.replayCache().addReplayId(replayId, spk.id(), kem.id());
    if (opk != null) {
      stores.preKeys().removePreKey(opk.id());
    }
    if (!kem.lastResort()) {
      stores.kemPreKeys().removeKemPreKey(kem.id());
    }
    stores.sessions().storeSession(address, session);
    logger.debug("session accepted from {} (one-time prekey: {})", address, opk != null);
    return plaintext;
  }

  private SessionState loadSession(ProtocolAddress address) throws NoSessionException {
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
