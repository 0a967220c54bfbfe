package dev.sotto.client.core.messaging;

import java.util.Objects;

/**
 * The safety number with a contact, as {@code sotto verify USER} shows it.
 *
 * @param user the contact
 * @param number the 60 digits as 12 groups of 5 separated by spaces
 * @param trust how the contact's identity is trusted
 */
public record SafetyNumberView(String user, String number, Trust trust) {

  /** How far a contact's identity is trusted. */
  public enum Trust {
    /** Pinned on first use, not compared with the person. */
    UNVERIFIED,
    /** Compared with the person ({@link Messenger#verify} matched). */
    VERIFIED,
    /**
     * The contact's identity changed and was not accepted: sending to them is blocked until {@link
     * Messenger#trust}; {@code number} is the NEW safety number.
     */
    CHANGED
  }

  /** Checks for nulls. */
  public SafetyNumberView {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(number, "number");
    Objects.requireNonNull(trust, "trust");
  }
}
