package dev.sotto.keystore.store;

import java.util.Objects;

/**
 * Carries a {@link LocalStoreException} through the engine's store interfaces ({@code SessionStore}
 * and the others), whose methods declare no checked exception. The engine never catches it, so a
 * corrupted record read during {@code SessionCipher.decrypt} ends the call and the transaction
 * changes nothing.
 */
public final class UncheckedLocalStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Wraps {@code cause}.
   *
   * @param cause the checked failure
   */
  public UncheckedLocalStoreException(LocalStoreException cause) {
    super(cause.getMessage(), Objects.requireNonNull(cause));
  }

  @Override
  public synchronized LocalStoreException getCause() {
    return (LocalStoreException) super.getCause();
  }
}
