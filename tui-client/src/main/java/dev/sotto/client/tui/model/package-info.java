/**
 * The UI-facing model of the terminal client: what the screens show and the actions they start.
 *
 * <p>No Lanterna type appears here. The client core implements {@link
 * dev.sotto.client.tui.model.ChatModel} and {@link dev.sotto.client.tui.model.LoginController}
 * through an adapter; the TUI only reads snapshots, listens for {@link
 * dev.sotto.client.tui.model.ModelChange}s and starts actions that return {@link
 * java.util.concurrent.CompletableFuture}s.
 */
package dev.sotto.client.tui.model;
