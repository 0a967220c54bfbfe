/**
 * Admin subcommands of {@code sotto-server} ({@code user list|disable|enable|delete}, {@code invite
 * create}) that work directly on a data directory the server is not running on.
 */
package dev.sotto.server.admin;
