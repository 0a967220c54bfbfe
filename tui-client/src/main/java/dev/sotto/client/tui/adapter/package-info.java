/**
 * Connects the full-screen client to the client core: {@link
 * dev.sotto.client.tui.adapter.CoreLoginController} and {@link
 * dev.sotto.client.tui.adapter.CoreChatModel} implement the UI-facing model of {@code
 * dev.sotto.client.tui.model} on the core's {@code Session}, {@code KnownServers} and messaging
 * API, and {@link dev.sotto.client.tui.adapter.TuiMain} is the launcher ({@code scripts/sotto}
 * without a subcommand).
 *
 * <p>Every blocking core call runs on the adapter's own worker thread, never on the UI thread; the
 * snapshots the UI reads are kept in memory and updated from the core's events.
 */
package dev.sotto.client.tui.adapter;
