/** The server's data directory: its layout, the single-process lock, and the master key. */
package dev.sotto.server.data;
