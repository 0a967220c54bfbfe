package dev.sotto.keystore;

/**
 * Serialized local state (a session, a prekey, an identity) that is not a well-formed record of the
 * expected type and version. The sealed local store detects tampering before this parser runs; this
 * exception means corruption or a version mismatch.
 */
public final class InvalidRecordException extends KeystoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was expected and what was found
   */
  public InvalidRecordException(String message) {
    super(message);
  }
}
