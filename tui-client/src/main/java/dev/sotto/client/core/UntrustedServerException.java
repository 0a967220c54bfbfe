package dev.sotto.client.core;

import java.util.Objects;

/**
 * First contact with a server whose certificate is not pinned, and the user (or the script's
 * options) did not agree to trust it. Nothing was sent to the server.
 */
public final class UntrustedServerException extends Exception {
  private static final long serialVersionUID = 1L;

  private final ServerAddress server;
  private final Fingerprint presented;

  /**
   * @param server the server
   * @param presented its certificate's fingerprint
   */
  public UntrustedServerException(ServerAddress server, Fingerprint presented) {
    super(
        "The server "
            + server
            + " is not yet trusted; its certificate is "
            + presented
            + ". Compare it with the fingerprint the server printed at start and pass --trust "
            + presented.hex()
            + " (or answer yes at the prompt).",
        null,
        false,
        false);
    this.server = Objects.requireNonNull(server);
    this.presented = Objects.requireNonNull(presented);
  }

  /** The server. */
  public ServerAddress server() {
    return server;
  }

  /** The fingerprint it presented. */
  public Fingerprint presented() {
    return presented;
  }
}
