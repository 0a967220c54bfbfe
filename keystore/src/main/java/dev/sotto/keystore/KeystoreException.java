package dev.sotto.keystore;

/**
 * Base of the checked exceptions of the end-to-end engine. These are expected rejections of input
 * an attacker or a broken peer can send, so they carry no stack trace (they are cheap to throw and
 * say nothing about the code path).
 */
public abstract class KeystoreException extends Exception {
  private static final long serialVersionUID = 1L;

  protected KeystoreException(String message) {
    super(message, null, false, false);
  }
}
