package dev.sotto.client.tui.adapter;

import dev.sotto.client.core.ServerAddress;
import dev.sotto.client.core.ServerTrust;

/**
 * The step after the server is trusted: log in to (or register) the account and make the chat model
 * live. {@link CoreChatModel} is the product's; tests may count calls. Runs on a worker thread.
 */
interface AccountOpener {

  /**
   * Logs in or registers, then opens the local store.
   *
   * @param server the server, whose certificate is pinned (or about to be, on a first use the user
   *     accepted)
   * @param trust the pins; a changed certificate throws {@link
   *     dev.sotto.client.core.CertificateChangedException}
   * @param username the canonical username
   * @param password the password; read only until this returns
   * @param register whether to create the account
   * @param invite the invite code, or an empty string
   * @throws Exception a core exception; {@link CoreLoginController} turns it into a {@link
   *     dev.sotto.client.tui.model.LoginResult}
   */
  void open(
      ServerAddress server,
      ServerTrust trust,
      String username,
      char[] password,
      boolean register,
      String invite)
      throws Exception;
}
