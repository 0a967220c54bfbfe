package dev.sotto.keystore.state;

import dev.sotto.keystore.ProtocolAddress;
import dev.sotto.keystore.identity.IdentityKey;
import dev.sotto.keystore.identity.IdentityKeyPair;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** An {@link IdentityKeyStore} in memory, for tests ({@link IdentityKey} is immutable). */
public final class InMemoryIdentityKeyStore implements IdentityKeyStore {
  private volatile IdentityKeyPair identity;
  private final Map<ProtocolAddress, IdentityKey> pinned = new ConcurrentHashMap<>();

  /** Creates a store holding {@code identity}. */
  public InMemoryIdentityKeyStore(IdentityKeyPair identity) {
    this.identity = identity;
  }

  @Override
  public IdentityKeyPair identityKeyPair() {
    return identity;
  }

  @Override
  public void replaceIdentityKeyPair(IdentityKeyPair identity) {
    this.identity = identity;
  }

  @Override
  public Optional<IdentityKey> pinnedIdentity(ProtocolAddress address) {
    return Optional.ofNullable(pinned.get(address));
  }

  @Override
  public void pin(ProtocolAddress address, IdentityKey identity) {
    pinned.put(address, identity);
  }
}
