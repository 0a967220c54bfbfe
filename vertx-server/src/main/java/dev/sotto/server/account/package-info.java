/**
 * Accounts: registration, login and password change as DESIGN.md "Accounts" fixes them.
 *
 * <p>The server never sees a password. It stores, per account, the client's Argon2id parameters and
 * a verifier {@code salt2 || SHA-256(salt2 || auth_key)}, and compares in constant time. Nothing
 * here depends on Vert.x: {@link dev.sotto.server.account.AccountService} returns {@link
 * java.util.concurrent.CompletableFuture}s that complete on the store's writer thread, and the
 * network layer hops back to its own event loop.
 */
package dev.sotto.server.account;
