package dev.sotto.client.core.messaging;

/**
 * A contact's identity key changed (they reset their keys, moved to a new machine, or someone is in
 * the middle) and the user has not accepted it: nothing is sent to them until {@link
 * Messenger#trust} after comparing the new safety number ({@link Messenger#safetyNumber}).
 */
public final class IdentityChangedException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String user;

  /** Creates the exception for {@code user}. */
  public IdentityChangedException(String user) {
    super(
        "The safety number with "
            + user
            + " has changed. Compare it ('verify "
            + user
            + "') and accept it ('trust "
            + user
            + "') before sending.",
        null,
        false,
        false);
    this.user = user;
  }

  /** The contact whose identity changed. */
  public String user() {
    return user;
  }
}
