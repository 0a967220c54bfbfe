/**
 * The small store interfaces the engine needs, and {@code InMemory*} implementations for tests.
 * Every stored value has a byte serialization ({@code serialize}/{@code deserialize} on the record
 * types); a persistent implementation keeps exactly those bytes (sealed). Loads return copies;
 * nothing a caller does to a loaded object changes the store until it is stored again.
 *
 * <p>Durable order: a {@code SessionCipher} call makes all its writes after the cryptography
 * succeeded. A persistent implementation should group the writes of one call (session, prekey
 * removals, replay cache, pinned identity) in one atomic batch.
 */
package dev.sotto.keystore.state;
