package dev.sotto.keystore.store;

/**
 * There is no local store in the directory (it was never created, or its creation did not
 * complete): {@link LocalStore#create} makes one.
 */
public final class NoLocalStoreException extends LocalStoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message names the directory
   */
  public NoLocalStoreException(String message) {
    super(message);
  }
}
