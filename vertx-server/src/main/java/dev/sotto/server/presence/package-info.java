/**
 * Who is online and who blocks whom. {@link dev.sotto.server.presence.PresenceRegistry} keeps each
 * user's presence (ONLINE, AWAY, DND while connected; OFFLINE when the last connection goes) in
 * memory and the block lists durably in the {@link dev.sotto.store.Store}.
 */
package dev.sotto.server.presence;
