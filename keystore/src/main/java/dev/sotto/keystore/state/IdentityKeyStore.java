package dev.sotto.keystore.state;

import dev.sotto.keystore.ProtocolAddress;
import dev.sotto.keystore.identity.IdentityKey;
import dev.sotto.keystore.identity.IdentityKeyPair;
import java.util.Optional;

/**
 * One's own identity and the identities pinned for contacts (trust on first use). A pinned identity
 * changes only by an explicit {@link #pin} after the user accepted the new safety number.
 */
public interface IdentityKeyStore {
  /** Returns our identity. */
  IdentityKeyPair identityKeyPair();

  /** Replaces our identity (key renewal). */
  void replaceIdentityKeyPair(IdentityKeyPair identity);

  /** Returns the identity pinned for an address, if any. */
  Optional<IdentityKey> pinnedIdentity(ProtocolAddress address);

  /** Pins (or, after the user's decision, re-pins) the identity of an address. */
  void pin(ProtocolAddress address, IdentityKey identity);

  /**
   * Returns whether {@code identity} may be used for {@code address}: none pinned yet, or equal.
   */
  default boolean isTrusted(ProtocolAddress address, IdentityKey identity) {
    return pinnedIdentity(address).map(identity::equals).orElse(true);
  }
}
