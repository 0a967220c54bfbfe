package dev.sotto.client.core;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The server presented a certificate whose key differs from the one this client expected: either
 * the one pinned in {@code known_servers} or the one given with {@code --trust}. The connection was
 * closed during the TLS handshake, before anything was sent. The message names both fingerprints
 * and says how to proceed.
 */
public final class CertificateChangedException extends Exception {
  private static final long serialVersionUID = 1L;

  private final ServerAddress server;
  private final Fingerprint expected;
  private final Fingerprint presented;

  /**
   * @param server the server
   * @param expected the fingerprint we expected
   * @param presented the fingerprint the server showed
   * @param knownServers the known_servers file holding the pin, or {@code null} when the expected
   *     fingerprint came from {@code --trust}
   * @param line the 1-based line of the pin in that file, or 0
   */
  public CertificateChangedException(
      ServerAddress server,
      Fingerprint expected,
      Fingerprint presented,
      Path knownServers,
      int line) {
    super(message(server, expected, presented, knownServers, line), null, false, false);
    this.server = Objects.requireNonNull(server);
    this.expected = Objects.requireNonNull(expected);
    this.presented = Objects.requireNonNull(presented);
  }

  private static String message(
      ServerAddress server,
      Fingerprint expected,
      Fingerprint presented,
      Path knownServers,
      int line) {
    if (knownServers == null) {
      return "The certificate of "
          + server
          + " is "
          + presented
          + ", not "
          + expected
          + " as given with --trust; nothing was sent.";
    }
    return "WARNING: the certificate of "
        + server
        + " has CHANGED: pinned "
        + expected
        + ", presented "
        + presented
        + ". Someone may be intercepting the connection, or the server was reinstalled; nothing was"
        + " sent. If the server's operator confirms the new fingerprint, run the command again with"
        + " --trust "
        + presented.hex()
        + " (or delete "
        + (line > 0 ? "line " + line + " of " : "its line in ")
        + knownServers
        + ").";
  }

  /** The server. */
  public ServerAddress server() {
    return server;
  }

  /** The fingerprint that was expected. */
  public Fingerprint expected() {
    return expected;
  }

  /** The fingerprint the server presented. */
  public Fingerprint presented() {
    return presented;
  }
}
