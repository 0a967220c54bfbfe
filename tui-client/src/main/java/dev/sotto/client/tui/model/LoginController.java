package dev.sotto.client.tui.model;

import java.util.concurrent.CompletableFuture;

/**
 * What the start screen calls, implemented by the client core. Futures complete on any thread; an
 * exceptional completion carries a message for the user.
 */
public interface LoginController {

  /** The {@code host:port} to prefill, or an empty string. */
  String lastServer();

  /** The username to prefill, or an empty string. */
  String lastUsername();

  /**
   * Connects, checks the server certificate against {@code known_servers}, then logs in or
   * registers (the key derivation runs off the UI thread).
   */
  CompletableFuture<LoginResult> login(LoginRequest request);

  /**
   * Pins {@code fingerprint} for {@code host:port} in {@code known_servers} after the user accepted
   * it; the UI then calls {@link #login} again.
   */
  CompletableFuture<Void> trustServer(String host, int port, String fingerprint);
}
