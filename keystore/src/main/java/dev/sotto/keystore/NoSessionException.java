package dev.sotto.keystore;

/** There is no session with that address: process a prekey bundle first. */
public final class NoSessionException extends KeystoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was expected and what was found; never key bytes or plaintext
   */
  public NoSessionException(String message) {
    super(message);
  }
}
