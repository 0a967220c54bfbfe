/**
 * PQXDH session set-up (Signal specification, revision 3) with X25519, SHA-256 and ML-KEM-768, and
 * the {@link dev.sotto.keystore.pqxdh.PreKeyMessage} that carries it.
 */
package dev.sotto.keystore.pqxdh;
