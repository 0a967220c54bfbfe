/**
 * The Sotto server: {@link dev.sotto.server.ServerMain} (the {@code sotto-server} command and its
 * admin subcommands) and {@link dev.sotto.server.SottoServer} (start-up and clean shutdown of the
 * store, certificate, accounts and listeners).
 */
package dev.sotto.server;
