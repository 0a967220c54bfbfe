/**
 * Connections: the TLS 1.3 listener, framing, the per-connection state machine, the dispatch table
 * of request handlers, back-pressure and timeouts, and the registry of logged-in connections.
 *
 * <p>Threading: each {@link dev.sotto.server.net.Connection} lives on one event loop and all its
 * state is touched only there. Store futures complete on the store's writer thread; handlers turn
 * them into Vert.x futures on the connection's context ({@link
 * dev.sotto.server.net.Connection#onContext}) before touching connection state.
 */
package dev.sotto.server.net;
