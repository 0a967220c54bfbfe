package dev.sotto.keystore;

/** A key, signature or prekey bundle that is malformed or does not verify. */
public final class InvalidKeyException extends KeystoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was expected and what was found; never key bytes or plaintext
   */
  public InvalidKeyException(String message) {
    super(message);
  }
}
