package dev.sotto.keystore;

import dev.sotto.keystore.identity.IdentityKeyPair;
import dev.sotto.keystore.state.IdentityKeyStore;
import dev.sotto.keystore.state.InMemoryIdentityKeyStore;
import dev.sotto.keystore.state.InMemoryPreKeyStore;
import dev.sotto.keystore.state.InMemoryReplayCacheStore;
import dev.sotto.keystore.state.InMemorySessionStore;
import dev.sotto.keystore.state.KemPreKeyStore;
import dev.sotto.keystore.state.PreKeyStore;
import dev.sotto.keystore.state.ReplayCacheStore;
import dev.sotto.keystore.state.SessionStore;
import dev.sotto.keystore.state.SignedPreKeyStore;
import java.util.Objects;

/**
 * The stores one account's engine works on.
 *
 * @param identity own identity and pinned contact identities
 * @param preKeys one-time X25519 prekeys
 * @param signedPreKeys signed X25519 prekeys
 * @param kemPreKeys ML-KEM-768 prekeys
 * @param sessions Double Ratchet sessions
 * @param replayCache PQXDH replay ids
 */
public record KeyStores(
    IdentityKeyStore identity,
    PreKeyStore preKeys,
    SignedPreKeyStore signedPreKeys,
    KemPreKeyStore kemPreKeys,
    SessionStore sessions,
    ReplayCacheStore replayCache) {
  /** Checks that every store is present. */
  public KeyStores {
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(preKeys, "preKeys");
    Objects.requireNonNull(signedPreKeys, "signedPreKeys");
    Objects.requireNonNull(kemPreKeys, "kemPreKeys");
    Objects.requireNonNull(sessions, "sessions");
    Objects.requireNonNull(replayCache, "replayCache");
  }

  /** Returns in-memory stores holding {@code identity} (for tests and benchmarks). */
  public static KeyStores inMemory(IdentityKeyPair identity) {
    InMemoryPreKeyStore prekeys = new InMemoryPreKeyStore();
    return new KeyStores(
        new InMemoryIdentityKeyStore(identity),
        prekeys,
        prekeys,
        prekeys,
        new InMemorySessionStore(),
        new InMemoryReplayCacheStore());
  }
}
