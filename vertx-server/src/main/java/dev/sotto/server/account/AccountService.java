package dev.sotto.server.account;

import com.google.protobuf.ByteString;
import dev.sotto.server.throttle.Throttles;
import dev.sotto.wire.Usernames;
import dev.sotto.wire.Validation;
import dev.sotto.wire.WireException;
import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.KdfParams;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Registration, login and password change.
 *
 * <p>Every account is held in memory (loaded once at start by {@link #loadCache}; a LAN server has
 * few, and each is under 100 bytes), so a login needs no disk read and never blocks. Changes are
 * written through the {@link AccountStore}, and the in-memory copy is updated only once the store
 * has acknowledged the durable write, so a client is never told "ok" for something a crash could
 * lose. Uniqueness of names and single use of invite codes are decided on the store's writer
 * thread, so two concurrent registrations cannot both win.
 *
 * <p>Every method returns a future that fails with {@link AccountException} for an expected
 * refusal. Futures complete on the calling thread (answers from memory) or on the store's writer
 * thread; callers on an event loop must hop back to their context.
 *
 * <p>Security: an unknown user and a wrong key give the same {@code AUTH_FAILED} after the same
 * work (a hash against a dummy verifier); {@link #kdfParametersFor} answers unknown names with the
 * default cost. Attempts are throttled per source address and per account name before any check of
 * the key.
 */
public final class AccountService {

  private final AccountStore store;
  private final RegistrationPolicy policy;
  private final Throttles throttles;
  private final SecureRandom random;
  private final LongSupplier wallClockMs;
  private final ConcurrentHashMap<String, Account> accounts = new ConcurrentHashMap<>();
  private final Verifier dummy;

  public AccountService(
      AccountStore store,
      RegistrationPolicy policy,
      Throttles throttles,
      SecureRandom random,
      LongSupplier wallClockMs) {
    this.store = Objects.requireNonNull(store, "store");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.throttles = Objects.requireNonNull(throttles, "throttles");
    this.random = Objects.requireNonNull(random, "random");
    this.wallClockMs = Objects.requireNonNull(wallClockMs, "wallClockMs");
    byte[] dummyKey = new byte[Verifier.AUTH_KEY_BYTES];
    random.nextBytes(dummyKey);
    this.dummy = Verifier.create(dummyKey, random);
  }

  /** Loads every account into memory (blocking; call once before serving). */
  public void loadCache() {
    accounts.clear();
    for (Account a : store.loadAll()) {
      accounts.put(a.username(), a);
    }
  }

  /** The registration policy. */
  public RegistrationPolicy policy() {
    return policy;
  }

  /** How many accounts exist. */
  public int accountCount() {
    return accounts.size();
  }

  /** The names of every account, sorted, at most {@code limit} of them. */
  public java.util.List<String> usernames(int limit) {
    return accounts.keySet().stream().sorted().limit(limit).toList();
  }

  /** The account of a normalized name, from memory. */
  public Optional<Account> find(String username) {
    return Optional.ofNullable(accounts.get(username));
  }

  /**
   * The Argon2id cost a client must use for {@code rawUsername}: the account's own, or the default
   * for names that do not exist or are not valid, so the answer does not say which names exist.
   */
  public KdfParameters kdfParametersFor(String rawUsername) {
    try {
      Account a = accounts.get(Usernames.normalize(rawUsername));
      return a == null ? KdfParameters.DEFAULT : a.kdf();
    } catch (WireException e) {
      return KdfParameters.DEFAULT;
    }
  }

  /**
   * Creates an account.
   *
   * @param address the client's source address, for throttling
   * @param inviteCode the invite code as typed, used only in invite mode
   * @return the new account, once durable; fails with {@code REGISTRATION_NOT_ALLOWED}, {@code
   *     INVALID_USERNAME}, {@code INVALID_REQUEST}, {@code RATE_LIMITED}, {@code INVITE_INVALID} or
   *     {@code USERNAME_TAKEN}
   */
  public CompletableFuture<Account> register(
      String address,
      String rawUsername,
      KdfParams kdfParams,
      ByteString authKey,
      String inviteCode) {
    try {
      if (policy == RegistrationPolicy.CLOSED) {
        throw new AccountException(
            ErrorCode.REGISTRATION_NOT_ALLOWED, "This server does not accept new accounts.");
      }
      String username = normalize(rawUsername);
      KdfParameters kdf = checkKdf(kdfParams);
      checkAuthKey(authKey);
      throttle(address, username);
      String invite = null;
      if (policy == RegistrationPolicy.INVITE) {
        invite =
            InviteCodes.normalize(inviteCode)
                .orElseThrow(
                    () ->
                        new AccountException(
                            ErrorCode.INVITE_INVALID,
                            "This server needs an invite code to register, and that one is not"
                                + " valid."));
      }
      if (accounts.containsKey(username)) {
        throw taken(username);
      }
      Account account =
          new Account(
              username,
              kdf,
              Verifier.create(authKey.toByteArray(), random),
              false,
              wallClockMs.getAsLong());
      return store
          .create(account, invite)
          .thenCompose(
              outcome ->
                  switch (outcome) {
                    case CREATED -> {
                      accounts.put(username, account);
                      yield CompletableFuture.completedFuture(account);
                    }
                    case USERNAME_TAKEN -> CompletableFuture.failedFuture(taken(username));
                    case INVITE_INVALID ->
                        CompletableFuture.failedFuture(
                            new AccountException(
                                ErrorCode.INVITE_INVALID,
                                "The invite code is not valid or has already been used."));
                  });
    } catch (AccountException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Checks a login.
   *
   * @return the account; fails with {@code INVALID_USERNAME}, {@code INVALID_REQUEST}, {@code
   *     RATE_LIMITED}, {@code AUTH_FAILED} (unknown user or wrong key alike) or {@code
   *     ACCOUNT_DISABLED} (only once the key was right)
   */
  public CompletableFuture<Account> login(String address, String rawUsername, ByteString authKey) {
    try {
      String username = normalize(rawUsername);
      checkAuthKey(authKey);
      throttle(address, username);
      Account account = accounts.get(username);
      boolean matches =
          (account == null ? dummy : account.verifier()).matches(authKey.toByteArray());
      if (account == null || !matches) {
        throw new AccountException(ErrorCode.AUTH_FAILED, "Wrong username or password.");
      }
      if (account.disabled()) {
        throw new AccountException(
            ErrorCode.ACCOUNT_DISABLED,
            "This account has been disabled by the server administrator.");
      }
      return CompletableFuture.completedFuture(account);
    } catch (AccountException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Replaces the verifier and cost of a logged-in account; the old auth key authorizes the change.
   *
   * @param username the logged-in (normalized) name
   * @return the updated account, once durable; fails with {@code INVALID_REQUEST}, {@code
   *     RATE_LIMITED} or {@code AUTH_FAILED}
   */
  public CompletableFuture<Account> changePassword(
      String address,
      String username,
      ByteString oldAuthKey,
      ByteString newAuthKey,
      KdfParams newKdfParams) {
    try {
      checkAuthKey(oldAuthKey);
      checkAuthKey(newAuthKey);
      KdfParameters kdf = checkKdf(newKdfParams);
      throttle(address, username);
      Account account = accounts.get(username);
      if (account == null || !account.verifier().matches(oldAuthKey.toByteArray())) {
        throw new AccountException(ErrorCode.AUTH_FAILED, "The current password is wrong.");
      }
      Account updated =
          account.withCredentials(kdf, Verifier.create(newAuthKey.toByteArray(), random));
      return store
          .put(updated)
          .thenApply(
              v -> {
                accounts.put(username, updated);
                return updated;
              });
    } catch (AccountException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static String normalize(String raw) throws AccountException {
    try {
      return Usernames.normalize(raw);
    } catch (WireException e) {
      throw new AccountException(e.code(), e.getMessage());
    }
  }

  private static KdfParameters checkKdf(KdfParams params) throws AccountException {
    try {
      Validation.kdfParams(params);
      return KdfParameters.fromProto(params);
    } catch (WireException e) {
      throw new AccountException(e.code(), e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new AccountException(ErrorCode.INVALID_REQUEST, e.getMessage());
    }
  }

  private static void checkAuthKey(ByteString key) throws AccountException {
    try {
      Validation.authKey(key);
    } catch (WireException e) {
      throw new AccountException(e.code(), e.getMessage());
    }
  }

  private void throttle(String address, String username) throws AccountException {
    long waitMs = throttles.tryAuthAttempt(address, username);
    if (waitMs > 0) {
      throw new AccountException(
          ErrorCode.RATE_LIMITED,
          "Too many attempts; try again in " + ((waitMs + 999) / 1000) + " s.",
          waitMs);
    }
  }

  private static AccountException taken(String username) {
    return new AccountException(
        ErrorCode.USERNAME_TAKEN, "The username " + username + " is already taken.");
  }
}
