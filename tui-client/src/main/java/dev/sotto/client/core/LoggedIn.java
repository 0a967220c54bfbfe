package dev.sotto.client.core;

import dev.sotto.keystore.account.AccountKeys;
import java.util.Objects;

/**
 * The outcome of a successful register or login.
 *
 * @param username the canonical (case-folded) username
 * @param deviceId this device's id (1 until several devices per account exist)
 * @param newAccount whether the account was made just now
 * @param keys the account's keys; the store key opens the local store. The caller owns them and
 *     should {@link AccountKeys#destroy() destroy} them when done.
 */
public record LoggedIn(String username, int deviceId, boolean newAccount, AccountKeys keys) {

  /** Checks for nulls. */
  public LoggedIn {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(keys, "keys");
  }
}
