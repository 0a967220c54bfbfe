package dev.sotto.keystore.codec;

/**
 * Thrown by {@link ByteReader} on truncated or trailing data. Unchecked and internal: every public
 * parser converts it to its declared checked exception.
 */
public final class MalformedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was wrong
   */
  public MalformedException(String message) {
    super(message, null, false, false);
  }
}
