/**
 * Identities: an Ed25519 signing key plus an X25519 agreement key signed by it ({@link
 * dev.sotto.keystore.identity.IdentityKey} public, {@link
 * dev.sotto.keystore.identity.IdentityKeyPair} private).
 */
package dev.sotto.keystore.identity;
