package dev.sotto.client.tui;

/** {@code keys.conf} could not be used; the message names the file line and what is wrong. */
public final class KeyConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  /** An error at {@code line} (1-based). */
  public KeyConfigException(int line, String message) {
    super("keys.conf line " + line + ": " + message);
  }

  /** An error about the whole file (e.g. unreadable). */
  public KeyConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
