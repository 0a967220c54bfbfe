package dev.sotto.keystore.store;

/**
 * Another process (or another open in this process) holds the local store. The message names the
 * holder's pid and the lock file. Only one client process at a time may use an account's store.
 */
public final class StoreLockedException extends LocalStoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message names the holder and the lock file
   * @param cause the store's own error
   */
  public StoreLockedException(String message, Throwable cause) {
    super(message, cause);
  }
}
