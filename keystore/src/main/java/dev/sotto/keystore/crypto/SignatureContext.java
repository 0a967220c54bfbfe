package dev.sotto.keystore.crypto;

import java.nio.charset.StandardCharsets;

/**
 * The context strings of PROTOCOL.md: a signature is {@code Ed25519(ascii(context) || 0x00 ||
 * data)}, so a signature made for one purpose never verifies for another.
 */
public enum SignatureContext {
  /** Binds an identity's X25519 key to its Ed25519 key. */
  IDENTITY_KEY("Sotto_IdentityKey_v1"),
  /** Signs {@code u32(id) || X25519 public} of a signed prekey. */
  SIGNED_PREKEY("Sotto_SignedPreKey_v1"),
  /** Signs {@code u32(id) || ML-KEM-768 encapsulation key} of a KEM prekey. */
  KEM_PREKEY("Sotto_KemPreKey_v1");

  private final byte[] label;

  SignatureContext(String label) {
    this.label = label.getBytes(StandardCharsets.US_ASCII);
  }

  /** Returns {@code ascii(context) || 0x00 || data}, the bytes actually signed. */
  public byte[] message(byte[] data) {
    byte[] out = new byte[label.length + 1 + data.length];
    System.arraycopy(label, 0, out, 0, label.length);
    System.arraycopy(data, 0, out, label.length + 1, data.length);
    return out;
  }

  /** Signs {@code data} in this context. */
  public byte[] sign(byte[] ed25519Seed, byte[] data) {
    return Ed25519.sign(ed25519Seed, message(data));
  }

  /** Verifies a signature over {@code data} in this context. */
  public boolean verify(byte[] ed25519Public, byte[] data, byte[] signature) {
    return Ed25519.verify(ed25519Public, message(data), signature);
  }
}
