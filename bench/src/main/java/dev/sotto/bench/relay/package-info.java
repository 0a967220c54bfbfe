/**
 * The limit: a minimal TLS relay that forwards the same frames as Sotto for one message (send,
 * push, ack, stored) with no accounts, storage or routing, so that the server's cost can be set
 * against what the same TLS and framing cost on their own.
 */
package dev.sotto.bench.relay;
