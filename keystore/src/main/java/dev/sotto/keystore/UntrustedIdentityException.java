package dev.sotto.keystore;

/**
 * The peer's identity key differs from the one pinned for its address. Nothing is sent or changed
 * until the user accepts the new identity ({@code IdentityKeyStore.pin}), after comparing safety
 * numbers.
 */
public final class UntrustedIdentityException extends KeystoreException {
  private static final long serialVersionUID = 1L;

  private final ProtocolAddress address;

  /**
   * Creates the exception.
   *
   * @param address the address whose identity changed
   */
  public UntrustedIdentityException(ProtocolAddress address) {
    super("identity key of " + address + " differs from the pinned one; verify the safety number");
    this.address = address;
  }

  /** Returns the address whose identity changed. */
  public ProtocolAddress address() {
    return address;
  }
}
