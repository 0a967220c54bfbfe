package dev.sotto.keystore;

import dev.sotto.keystore.crypto.X25519KeyPair;
import dev.sotto.keystore.identity.IdentityKey;
import dev.sotto.keystore.identity.IdentityKeyPair;
import dev.sotto.keystore.pqxdh.Pqxdh;
import dev.sotto.keystore.prekey.PreKeyBundle;
import dev.sotto.keystore.ratchet.PendingPreKey;
import dev.sotto.keystore.ratchet.SessionRecord;
import dev.sotto.keystore.ratchet.SessionState;
import java.security.SecureRandom;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts sessions as the PQXDH initiator from a peer's {@link PreKeyBundle}.
 *
 * <p>Security guarantees: a session is created only from a bundle whose identity binding,
 * signed-prekey signature and KEM-prekey signature verify under their own contexts, whose ML-KEM
 * key passes the FIPS 203 check, and whose identity matches the one pinned for the address (the
 * first one seen is pinned).
 */
public final class SessionBuilder {
  private static final Logger logger = LoggerFactory.getLogger(SessionBuilder.class);

  private final KeyStores stores;
  private final SecureRandom random;

  /**
   * Creates a builder.
   *
   * @param stores the account's stores
   * @param random the source of all key material
   */
  public SessionBuilder(KeyStores stores, SecureRandom random) {
    this.stores = Objects.requireNonNull(stores);
    this.random = Objects.requireNonNull(random);
  }

  /**
   * Verifies a bundle and stores a new session with {@code address}, replacing any existing one.
   * The next {@link SessionCipher#encrypt} produces a PreKeyMessage.
   *
   * @throws InvalidKeyException if the bundle fails verification, is for another device, or carries
   *     our own identity
   * @throws UntrustedIdentityException if its identity differs from the one pinned for {@code
   *     address}
   */
  public void process(ProtocolAddress address, PreKeyBundle bundle)
      throws InvalidKeyException, UntrustedIdentityException {
    if (bundle.deviceId() != address.deviceId()) {
      throw new InvalidKeyException(
          "bundle is for device " + bundle.deviceId() + ", expected " + address.deviceId());
    }
    bundle.verify();
    IdentityKeyPair ours = stores.identity().identityKeyPair();
    IdentityKey theirs = bundle.identityKey();
    if (theirs.equals(ours.publicKey())) {
      throw new InvalidKeyException("bundle carries our own identity");
    }
    if (!stores.identity().isTrusted(address, theirs)) {
      throw new UntrustedIdentityException(address);
    }
    Pqxdh.InitiatorResult r = Pqxdh.initiate(ours, bundle, X25519KeyPair.generate(random), random);
    PendingPreKey pending =
        new PendingPreKey(
            bundle.signedPreKeyId(),
            bundle.oneTimePreKeyId(),
            bundle.kemPreKeyId(),
            r.baseKey(),
            r.kemCiphertext());
    SessionState state =
        SessionState.initiator(
            ours.publicKey().keyBytes(),
            theirs.keyBytes(),
            r.sharedKey(),
            bundle.signedPreKey(),
            X25519KeyPair.generate(random),
            pending,
            r.replayId());
    if (stores.identity().pinnedIdentity(address).isEmpty()) {
      stores.identity().pin(address, theirs);
    }
    SessionRecord record =
        stores
            .sessions()
            .loadSession(address)
            .map(
                existing -> {
                  existing.archiveCurrentAndSet(state);
                  return existing;
                })
            .orElseGet(() -> SessionRecord.of(state));
    stores.sessions().storeSession(address, record);
    logger.debug(
        "session started with {} (one-time prekey: {})", address, bundle.oneTimePreKeyId() != 0);
  }
}
