package dev.sotto.client.core.messaging;

import static dev.sotto.client.core.messaging.Context.address;
import static dev.sotto.client.core.messaging.Context.now;
import static dev.sotto.client.core.messaging.Conversions.*;

import dev.sotto.keystore.identity.IdentityKey;
import dev.sotto.keystore.store.Contact;
import dev.sotto.keystore.store.LocalStoreException;
import dev.sotto.keystore.store.Transaction;
import dev.sotto.keystore.store.TrustState;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Safety numbers and the user's trust decisions: verifying a contact, accepting a changed identity
 * (which releases the messages held for it). Worker thread only.
 */
final class TrustDecisions {
  private static final Logger logger = LoggerFactory.getLogger(TrustDecisions.class);

  private final Context ctx;

  TrustDecisions(Context ctx) {
    this.ctx = ctx;
  }

  SafetyNumberView doSafetyNumber(String peer) throws Exception {
    Optional<Contact> c = ctx.store.contact(peer);
    if (c.isPresent()
        && c.get().trust() == TrustState.CHANGED
        && c.get().pendingIdentity().isPresent()) {
      return new SafetyNumberView(
          peer,
          ctx.safetyNumberWith(peer, c.get().pendingIdentity().get()).formatted(),
          SafetyNumberView.Trust.CHANGED);
    }
    Optional<IdentityKey> pinned = ctx.store.pinnedIdentity(address(peer));
    if (pinned.isEmpty()) {
      ctx.sessions.startSession(peer);
      pinned = ctx.store.pinnedIdentity(address(peer));
      c = ctx.store.contact(peer);
    }
    if (pinned.isEmpty()) {
      throw new IllegalStateException("no identity pinned for " + peer + " after a session");
    }
    boolean verified = c.isPresent() && c.get().trust() == TrustState.VERIFIED;
    return new SafetyNumberView(
        peer,
        ctx.safetyNumberWith(peer, pinned.get()).formatted(),
        verified ? SafetyNumberView.Trust.VERIFIED : SafetyNumberView.Trust.UNVERIFIED);
  }

  static boolean safetyNumberMatches(String formatted, String typed) {
    String a = formatted.replace(" ", "");
    StringBuilder b = new StringBuilder();
    if (typed == null) {
      return false;
    }
    for (char ch : typed.toCharArray()) {
      if (!Character.isWhitespace(ch)) {
        b.append(ch);
      }
    }
    return java.security.MessageDigest.isEqual(
        a.getBytes(StandardCharsets.US_ASCII), b.toString().getBytes(StandardCharsets.US_ASCII));
  }

  void accept(String peer, TrustState level) throws LocalStoreException {
    Optional<Contact> c = ctx.store.contact(peer);
    boolean changed =
        c.isPresent()
            && c.get().trust() == TrustState.CHANGED
            && c.get().pendingIdentity().isPresent();
    try (Transaction tx = ctx.store.begin()) {
      if (changed) {
        tx.pinIdentity(address(peer), c.get().pendingIdentity().get());
        tx.keyStores().sessions().deleteSession(address(peer));
      }
      if (changed || level == TrustState.VERIFIED) {
        tx.putContact(new Contact(peer, level, Optional.empty(), now()));
      }
      tx.commit();
    }
    if (changed) {
      logger.info("accepted the new identity of {}", peer);
      ctx.receiver.releaseHeld(peer);
    }
  }
}
