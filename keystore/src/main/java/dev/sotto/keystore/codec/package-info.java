/** Bounds-checked readers and writers for the fixed byte layouts of PROTOCOL.md. */
package dev.sotto.keystore.codec;
