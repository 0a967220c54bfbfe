package dev.sotto.client.tui.adapter;

/**
 * Registration needs an invite code and none was given. Stackless: an expected outcome that {@link
 * CoreLoginController} turns into {@link dev.sotto.client.tui.model.LoginResult.InviteRequired}.
 */
final class InviteNeededException extends Exception {
  private static final long serialVersionUID = 1L;

  InviteNeededException(String message) {
    super(message, null, false, false);
  }
}
