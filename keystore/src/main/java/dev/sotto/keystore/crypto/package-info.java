/**
 * The primitives the protocol is made of, behind small static interfaces: X25519, Ed25519,
 * ML-KEM-768, HKDF-SHA256, HMAC-SHA256 (Bouncy Castle lightweight API, confined to this package),
 * AES-256-GCM (the JDK) and Argon2id. No other package imports Bouncy Castle.
 *
 * <p>Security guarantees: every function is deterministic given its inputs except key generation
 * and encapsulation, which draw from the {@link java.security.SecureRandom} passed in; MACs are
 * compared in constant time; X25519 results of all zeros (small-order peer keys) are rejected.
 */
package dev.sotto.keystore.crypto;
