/**
 * Account key derivation: turns a password into the keys that log in to a server and open the local
 * store, so that the password itself never leaves the client.
 *
 * <p>Entry point: {@link dev.sotto.keystore.account.AccountKeys#derive}. The byte-exact
 * construction is in {@code AccountKeys}' Javadoc and in PROTOCOL.md ("Accounts").
 */
package dev.sotto.keystore.account;
