/**
 * The server's TLS identity: a self-signed certificate made with Bouncy Castle on first start, kept
 * in the data directory, and its SPKI fingerprint that clients pin.
 */
package dev.sotto.server.tls;
