package dev.sotto.keystore.store;

/**
 * A failure of the encrypted local store that the caller must decide on: the store cannot be
 * opened, read or written. Subclasses name the cases a user can cause or must be told about.
 * Messages never contain key bytes, passwords or plaintext.
 */
public class LocalStoreException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, in a sentence a person understands
   */
  public LocalStoreException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed, in a sentence a person understands
   * @param cause the underlying failure
   */
  public LocalStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
