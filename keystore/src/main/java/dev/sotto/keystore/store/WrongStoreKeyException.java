package dev.sotto.keystore.store;

/**
 * The store key (derived from the password) does not open this local store: the password is wrong
 * for this account on this machine. Nothing was read or changed.
 */
public final class WrongStoreKeyException extends LocalStoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message names the store directory
   */
  public WrongStoreKeyException(String message) {
    super(message);
  }
}
