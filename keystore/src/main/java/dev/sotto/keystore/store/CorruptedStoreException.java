package dev.sotto.keystore.store;

/**
 * Stored bytes that do not authenticate or do not parse: a corrupted, truncated or tampered file,
 * or a record moved to another place in the store. The store never returns such a record.
 */
public final class CorruptedStoreException extends LocalStoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message which record (map name, never key bytes of a secret) and what was wrong
   */
  public CorruptedStoreException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message which record and what was wrong
   * @param cause the underlying failure
   */
  public CorruptedStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
