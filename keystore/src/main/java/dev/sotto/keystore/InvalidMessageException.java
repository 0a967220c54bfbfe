package dev.sotto.keystore;

/**
 * A ciphertext that is malformed, fails authentication, or cannot be decrypted; nothing was
 * changed.
 */
public final class InvalidMessageException extends KeystoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was expected and what was found; never key bytes or plaintext
   */
  public InvalidMessageException(String message) {
    super(message);
  }
}
