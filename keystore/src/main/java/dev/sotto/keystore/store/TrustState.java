package dev.sotto.keystore.store;

/** How far the user trusts a contact's pinned identity. */
public enum TrustState {
  /** Pinned on first use, not compared with the person. */
  FIRST_USE,
  /** The user compared safety numbers with the person. */
  VERIFIED,
  /**
   * A different identity was seen and not yet accepted: sending to the contact is blocked until the
   * user accepts it ({@code trust}) after seeing the new safety number.
   */
  CHANGED
}
