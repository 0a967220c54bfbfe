package dev.sotto.bench.load;

import com.google.protobuf.ByteString;

/**
 * One ciphertext made up front, in the two forms the adapters send: protobuf bytes for Sotto and
 * base64 text for XMPP.
 */
record Payload(ByteString bytes, String base64) {}
