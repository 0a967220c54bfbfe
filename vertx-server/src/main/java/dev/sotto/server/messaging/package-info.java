/**
 * The messaging features on the network: the request handlers for prekeys, messages, users,
 * presence and blocks, and the bridge from a logged-in {@link dev.sotto.server.net.Connection} to a
 * delivery session. The domain logic lives in {@code directory}, {@code mailbox}, {@code presence}
 * and {@code delivery}; this package only validates, calls it, and turns the answer into frames on
 * the connection's own event loop.
 */
package dev.sotto.server.messaging;
