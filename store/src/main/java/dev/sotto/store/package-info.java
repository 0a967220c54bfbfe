/**
 * Crash-safe storage: a CRC-checked append-only journal with group commit as the source of truth,
 * MapDB as the queryable state. Generic byte keys and values in named maps; knows nothing of chat.
 */
package dev.sotto.store;
