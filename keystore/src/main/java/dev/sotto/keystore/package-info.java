/**
 * Sotto's end-to-end engine: PQXDH session set-up ({@link dev.sotto.keystore.SessionBuilder}) and
 * the Double Ratchet ({@link dev.sotto.keystore.SessionCipher}) as PROTOCOL.md specifies them, over
 * the small store interfaces of {@link dev.sotto.keystore.state} gathered in {@link
 * dev.sotto.keystore.KeyStores}.
 *
 * <p>Typical use: the initiator fetches the peer's {@link dev.sotto.keystore.prekey.PreKeyBundle}
 * from the server, calls {@code SessionBuilder.process(address, bundle)}, then {@code
 * SessionCipher.encrypt}; the responder calls {@code SessionCipher.decrypt} on whatever arrives.
 * Each call either succeeds and commits its state changes, or throws a checked exception and
 * changes nothing.
 */
package dev.sotto.keystore;
