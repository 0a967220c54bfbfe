package dev.sotto.client.core.messaging;

import static dev.sotto.client.core.messaging.Context.address;
import static dev.sotto.client.core.messaging.Context.now;
import static dev.sotto.client.core.messaging.Conversions.*;

import dev.sotto.client.core.Session;
import dev.sotto.keystore.InvalidKeyException;
import dev.sotto.keystore.UntrustedIdentityException;
import dev.sotto.keystore.prekey.PreKeyBundle;
import dev.sotto.keystore.store.Contact;
import dev.sotto.keystore.store.OutboxEntry;
import dev.sotto.keystore.store.Transaction;
import dev.sotto.keystore.store.TrustState;
import dev.sotto.wire.proto.Address;
import dev.sotto.wire.proto.Content;
import dev.sotto.wire.proto.FetchPreKeyBundle;
import dev.sotto.wire.proto.Frame;
import java.net.ProtocolException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sessions: from a peer's prekey bundle when there is none (pinning their identity on first
 * use), and again when a peer's message cannot be decrypted (a rate-limited session reset). Worker
 * thread only.
 */
final class SessionSetup {
  private static final Logger logger = LoggerFactory.getLogger(SessionSetup.class);
  private static final long RESET_INTERVAL_MS = 60_000;

  private final Context ctx;
  private final Map<String, Long> lastReset = new HashMap<>();

  SessionSetup(Context ctx) {
    this.ctx = ctx;
  }

  /** Fails unless {@code peer}'s identity is trusted; makes a session when there is none. */
  void ensureSendable(String peer) throws Exception {
    Optional<Contact> contact = ctx.store.contact(peer);
    if (contact.isPresent() && contact.get().trust() == TrustState.CHANGED) {
      throw new IdentityChangedException(peer);
    }
    if (!hasSession(peer)) {
      startSession(peer);
    }
  }

  boolean hasSession(String peer) {
    try (Transaction tx = ctx.store.begin()) {
      return tx.keyStores().sessions().loadSession(address(peer)).isPresent();
    }
  }

  /** Fetches {@code peer}'s bundle and commits a new session (and the first pin). */
  void startSession(String peer) throws Exception {
    PreKeyBundle bundle = fetchBundle(peer);
    try (Transaction tx = ctx.store.begin()) {
      try {
        tx.sessionBuilder().process(address(peer), bundle);
      } catch (UntrustedIdentityException e) {
        tx.putContact(
            new Contact(peer, TrustState.CHANGED, Optional.of(bundle.identityKey()), now()));
        tx.commit();
        ctx.emit(
            new MessengerEvent.IdentityChanged(
                peer, ctx.safetyNumberWith(peer, bundle.identityKey()).formatted()));
        throw new IdentityChangedException(peer);
      } catch (InvalidKeyException e) {
        throw new ProtocolException(
            "The server sent a prekey bundle for "
                + peer
                + " that fails a check: "
                + e.getMessage());
      }
      if (tx.contact(peer).isEmpty()) {
        tx.putContact(new Contact(peer, TrustState.FIRST_USE, Optional.empty(), now()));
      }
      tx.commit();
    }
    logger.info("session with {} started", peer);
  }

  PreKeyBundle fetchBundle(String peer) throws Exception {
    Frame f;
    try {
      f =
          ctx.connection
              .call(
                  Frame.newBuilder()
                      .setFetchPreKeyBundle(
                          FetchPreKeyBundle.newBuilder()
                              .setAddress(
                                  Address.newBuilder()
                                      .setUser(peer)
                                      .setDeviceId(Session.DEVICE_ID))),
                  Frame.BodyCase.PRE_KEY_BUNDLE)
              .get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
    return toBundle(peer, f.getPreKeyBundle());
  }

  /**
   * Asks {@code peer}'s client for a new session: a fresh session from their bundle and a {@code
   * SessionReset} content through it. At most one per peer per minute.
   */
  void requestReset(String peer) {
    long now = System.currentTimeMillis();
    Long last = lastReset.get(peer);
    if (last != null && now - last < RESET_INTERVAL_MS) {
      return;
    }
    lastReset.put(peer, now);
    try {
      Optional<Contact> c = ctx.store.contact(peer);
      if (c.isPresent() && c.get().trust() == TrustState.CHANGED) {
        return;
      }
      startSession(peer);
      byte[] content =
          Content.newBuilder()
              .setVersion(CONTENT_VERSION)
              .setSentAtMs(now)
              .setSessionReset(
                  dev.sotto.wire.proto.SessionReset.newBuilder().setReason("undecryptable"))
              .build()
              .toByteArray();
      OutboxEntry e;
      try (Transaction tx = ctx.store.begin()) {
        e = ctx.outbox.encryptControl(tx, peer, content, now);
        tx.commit();
      }
      if (e != null) {
        ctx.outbox.transmit(e);
      }
      logger.info("asked {} for a session reset", peer);
    } catch (Exception e) {
      logger.info("session reset with {} failed: {}", peer, e.getMessage());
    }
  }
}
