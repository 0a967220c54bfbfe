package dev.sotto.keystore;

/** A message whose key was already used: a replay or a duplicate delivery; nothing was changed. */
public final class DuplicateMessageException extends KeystoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was expected and what was found; never key bytes or plaintext
   */
  public DuplicateMessageException(String message) {
    super(message);
  }
}
