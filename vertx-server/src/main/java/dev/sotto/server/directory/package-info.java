/**
 * The prekey directory: each device's public identity keys, signed prekey, last-resort ML-KEM key
 * and one-time prekeys, kept in the {@link dev.sotto.store.Store}. {@link
 * dev.sotto.server.directory.PreKeyDirectory} hands out every one-time prekey exactly once (decided
 * on the store's writer thread), rate-limits fetches and tells owners when they run low. The server
 * holds public keys only and cannot verify their signatures' meaning, only their sizes.
 */
package dev.sotto.server.directory;
