/**
 * Prekeys: the signed X25519 prekey, one-time X25519 prekeys, signed ML-KEM-768 prekeys (one-time
 * and last-resort), their local records, and the public {@link
 * dev.sotto.keystore.prekey.PreKeyBundle} the server stores and hands out, with its verification.
 */
package dev.sotto.keystore.prekey;
