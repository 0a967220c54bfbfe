package dev.sotto.client.core;

import java.util.Objects;
import java.util.Optional;

/**
 * How a client decides which server certificate to accept:
 *
 * <ol>
 *   <li>With an explicit fingerprint ({@code --trust}): only a server presenting exactly that key
 *       is accepted, and it is then pinned, replacing an older pin (this is how a user accepts a
 *       reinstalled server after checking the new fingerprint with its operator).
 *   <li>Otherwise, with a pin in {@link KnownServers}: only the pinned key is accepted; another one
 *       fails with {@link CertificateChangedException}.
 *   <li>Otherwise (first use): the certificate's fingerprint is fetched in a handshake that is
 *       aborted before any data flows, the {@link TrustPrompt} is asked, and on yes the key is
 *       pinned and the connection made; on no, {@link UntrustedServerException}.
 * </ol>
 *
 * @param knownServers the pins
 * @param explicit the fingerprint given up front, if any
 * @param prompt who to ask on first use
 */
public record ServerTrust(
    KnownServers knownServers, Optional<Fingerprint> explicit, TrustPrompt prompt) {

  /** Checks for nulls. */
  public ServerTrust {
    Objects.requireNonNull(knownServers, "knownServers");
    Objects.requireNonNull(explicit, "explicit");
    Objects.requireNonNull(prompt, "prompt");
  }
}
