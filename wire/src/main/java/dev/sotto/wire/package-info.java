/** The Sotto wire protocol: framing, limits and error codes shared by server and client. */
package dev.sotto.wire;
