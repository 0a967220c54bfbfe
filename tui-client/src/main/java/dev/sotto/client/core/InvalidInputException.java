package dev.sotto.client.core;

/**
 * The user's input breaks a rule the client checks before sending anything (a username's form, a
 * password's length, a missing invite code). The message is a sentence to show the user.
 */
public final class InvalidInputException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what is wrong and what is expected
   */
  public InvalidInputException(String message) {
    super(message, null, false, false);
  }
}
