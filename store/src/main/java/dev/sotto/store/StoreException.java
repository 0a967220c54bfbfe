package dev.sotto.store;

/** A storage failure a caller must handle: disk full, I/O error, store closed, or unrecoverable. */
public class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
