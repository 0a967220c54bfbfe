package dev.sotto.server.account;

import dev.sotto.store.Batch;
import dev.sotto.store.Store;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Accounts, invite codes and the server id in the {@link Store}'s named maps.
 *
 * <p>Maps: {@value #ACCOUNTS} (normalized username to {@link AccountCodec} record), {@value
 * #INVITES} (canonical invite code to its creation time), {@value #SERVER} (key {@code id}: the 16
 * random bytes made on first start).
 *
 * <p>The methods returning futures never block: their futures complete on the store's writer thread
 * once the change is durable. The others read the store directly and block; they are for start-up
 * and the admin commands, never for an event loop.
 */
public final class AccountStore {

  /** Map of accounts. */
  public static final String ACCOUNTS = "accounts";

  /** Map of unused invite codes. */
  public static final String INVITES = "invites";

  /** Map of server-wide values. */
  public static final String SERVER = "server";

  private static final byte[] SERVER_ID_KEY = "id".getBytes(StandardCharsets.US_ASCII);
  private static final int SERVER_ID_BYTES = 16;

  /** What {@link #create} did. */
  public enum CreateOutcome {
    CREATED,
    USERNAME_TAKEN,
    INVITE_INVALID
  }

  private final Store store;

  public AccountStore(Store store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /** Every account (blocking). */
  public List<Account> loadAll() {
    List<Account> out = new ArrayList<>();
    for (Store.Entry e : store.scan(ACCOUNTS, new byte[0], Integer.MAX_VALUE)) {
      String name = new String(e.key(), StandardCharsets.UTF_8);
      out.add(AccountCodec.decode(name, e.value()));
    }
    return out;
  }

  /** One account (blocking). */
  public Optional<Account> find(String username) {
    return store
        .get(ACCOUNTS, AccountCodec.key(username))
        .map(v -> AccountCodec.decode(username, v));
  }

  /**
   * Creates {@code account} unless the name is taken; with {@code inviteCode} (canonical form) also
   * consumes that code, atomically with the creation, unless it does not exist.
   */
  public CompletableFuture<CreateOutcome> create(Account account, String inviteCode) {
    byte[] key = AccountCodec.key(account.username());
    byte[] value = AccountCodec.encode(account);
    byte[] invite = inviteCode == null ? null : inviteCode.getBytes(StandardCharsets.US_ASCII);
    return store.update(
        txn -> {
          if (txn.get(ACCOUNTS, key).isPresent()) {
            return CreateOutcome.USERNAME_TAKEN;
          }
          if (invite != null) {
            if (txn.get(INVITES, invite).isEmpty()) {
              return CreateOutcome.INVITE_INVALID;
            }
            txn.delete(INVITES, invite);
          }
          txn.put(ACCOUNTS, key, value);
          return CreateOutcome.CREATED;
        });
  }

  /** Replaces a stored account (the caller knows it exists). */
  public CompletableFuture<Void> put(Account account) {
    return store.write(
        new Batch()
            .put(ACCOUNTS, AccountCodec.key(account.username()), AccountCodec.encode(account)));
  }

  /** Deletes an account; completes with whether it existed. */
  public CompletableFuture<Boolean> delete(String username) {
    byte[] key = AccountCodec.key(username);
    return store.update(
        txn -> {
          boolean existed = txn.get(ACCOUNTS, key).isPresent();
          if (existed) {
            txn.delete(ACCOUNTS, key);
          }
          return existed;
        });
  }

  /** Stores a new invite code (canonical form). */
  public CompletableFuture<Void> addInvite(String canonicalCode, long nowMs) {
    return store.write(
        new Batch()
            .put(
                INVITES,
                canonicalCode.getBytes(StandardCharsets.US_ASCII),
                ByteBuffer.allocate(8).putLong(nowMs).array()));
  }

  /** How many invite codes are unused (blocking). */
  public int inviteCount() {
    return store.scan(INVITES, new byte[0], Integer.MAX_VALUE).size();
  }

  /**
   * The server id, made and stored on first call (blocking; for start-up). The id is 16 random
   * bytes; clients mix it into their Argon2 salt.
   */
  public byte[] loadOrCreateServerId(SecureRandom random) {
    Optional<byte[]> existing = store.get(SERVER, SERVER_ID_KEY);
    if (existing.isPresent()) {
      if (existing.get().length != SERVER_ID_BYTES) {
        throw new IllegalStateException(
            "stored server id has " + existing.get().length + " bytes, expected 16");
      }
      return existing.get();
    }
    byte[] fresh = new byte[SERVER_ID_BYTES];
    random.nextBytes(fresh);
    return store
        .update(
            txn -> {
              Optional<byte[]> raced = txn.get(SERVER, SERVER_ID_KEY);
              if (raced.isPresent()) {
                return raced.get();
              }
              txn.put(SERVER, SERVER_ID_KEY, fresh);
              return fresh;
            })
        .join();
  }
}
