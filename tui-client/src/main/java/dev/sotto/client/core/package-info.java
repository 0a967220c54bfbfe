/**
 * The client core that the command line and the full-screen UI both sit on: server addresses,
 * certificate pinning ({@link dev.sotto.client.core.KnownServers}), the framed TLS {@link
 * dev.sotto.client.core.Connection} and the account operations of a {@link
 * dev.sotto.client.core.Session}. No UI code lives here (no Lanterna import), and nothing here
 * writes to the terminal.
 */
package dev.sotto.client.core;
