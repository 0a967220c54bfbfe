/**
 * The client's encrypted local store ({@link dev.sotto.keystore.store.LocalStore}): identity,
 * prekeys, sessions, pinned identities, contacts, history, unread counts, message states and the
 * outbox, every record sealed under a random data key wrapped by {@code store_key}, on the
 * crash-safe journaled store of {@code dev.sotto.store}. All writes go through a {@link
 * dev.sotto.keystore.store.Transaction} that commits as one atomic, durable batch: the mechanism
 * behind DESIGN.md's "Order of durable steps".
 */
package dev.sotto.keystore.store;
