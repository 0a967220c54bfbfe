/**
 * Messaging on top of a logged-in {@link dev.sotto.client.core.Session}: the UI-free API that the
 * TUI and the CLI both use. {@link dev.sotto.client.core.messaging.Messenger} is the entry point;
 * it owns the connection (reconnecting with back-off), the encrypted local store, prekeys,
 * sessions, the outbox and receipts, and reports what happens as {@link
 * dev.sotto.client.core.messaging.MessengerEvent}s.
 *
 * <p>No Lanterna (or any UI) import is allowed here.
 */
package dev.sotto.client.core.messaging;
