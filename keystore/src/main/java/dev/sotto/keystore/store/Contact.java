package dev.sotto.keystore.store;

import dev.sotto.keystore.identity.IdentityKey;
import java.util.Objects;
import java.util.Optional;

/**
 * A contact's trust record. The pinned identity itself is the engine's ({@link
 * LocalStore#pinnedIdentity}); this record says how it is trusted and holds a changed identity
 * until the user accepts it.
 *
 * @param name the contact's case-folded account name
 * @param trust how the pinned identity is trusted
 * @param pendingIdentity a new identity seen for the contact and not yet accepted ({@link
 *     TrustState#CHANGED}), else empty
 * @param updatedAtMillis when this record last changed (epoch milliseconds)
 */
public record Contact(
    String name, TrustState trust, Optional<IdentityKey> pendingIdentity, long updatedAtMillis) {
  /** Validates the fields. */
  public Contact {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(trust, "trust");
    Objects.requireNonNull(pendingIdentity, "pendingIdentity");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("expected a non-empty contact name");
    }
  }
}
