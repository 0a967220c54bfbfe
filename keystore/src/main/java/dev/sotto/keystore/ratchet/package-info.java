/**
 * The Double Ratchet (Signal specification, revision 3) with Sotto's KDFs, the fixed 41-byte
 * header, padding, bounded skipped keys, and the serializable {@link
 * dev.sotto.keystore.ratchet.SessionState}.
 */
package dev.sotto.keystore.ratchet;
