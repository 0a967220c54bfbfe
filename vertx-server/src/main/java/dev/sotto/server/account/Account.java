package dev.sotto.server.account;

import java.util.Objects;

/**
 * One account as stored.
 *
 * @param username the normalized (case-folded) name, also the store key
 * @param kdf the client's Argon2id cost
 * @param verifier the salted hash of the client's auth key
 * @param disabled whether an admin has disabled logins
 * @param createdAtMs creation time, milliseconds since the epoch
 */
public record Account(
    String username, KdfParameters kdf, Verifier verifier, boolean disabled, long createdAtMs) {

  public Account {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(kdf, "kdf");
    Objects.requireNonNull(verifier, "verifier");
  }

  /** This account, disabled or enabled. */
  public Account withDisabled(boolean value) {
    return new Account(username, kdf, verifier, value, createdAtMs);
  }

  /** This account with a new verifier and cost, as after a password change. */
  public Account withCredentials(KdfParameters newKdf, Verifier newVerifier) {
    return new Account(username, newKdf, newVerifier, disabled, createdAtMs);
  }
}
