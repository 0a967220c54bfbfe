package dev.sotto.client.core;

/**
 * Asks whether to trust a server seen for the first time. The command line asks on the terminal,
 * the full-screen UI shows a dialog, scripts decide by option.
 */
@FunctionalInterface
public interface TrustPrompt {

  /** Refuses every unknown server: the default when nobody can be asked. */
  TrustPrompt REFUSE = (server, fingerprint) -> false;

  /** Trusts every unknown server on first use (scripts that opted in). */
  TrustPrompt ACCEPT = (server, fingerprint) -> true;

  /**
   * Whether to pin {@code fingerprint} for {@code server}. Called with no connection open, so it
   * may take as long as the person needs.
   */
  boolean trustOnFirstUse(ServerAddress server, Fingerprint fingerprint);
}
