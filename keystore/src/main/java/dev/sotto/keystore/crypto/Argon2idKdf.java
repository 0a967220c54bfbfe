package dev.sotto.keystore.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * The account key derivation of DESIGN.md "Accounts": {@code master = Argon2id(password, salt =
 * SHA-256("Sotto_Account_v1" || server_id || username))}, 32 bytes, then {@code auth_key} and
 * {@code store_key} by HKDF. Always Argon2 type id, version 0x13.
 *
 * @param memoryKiB memory cost in KiB (64 MiB by default)
 * @param iterations time cost
 * @param parallelism lanes
 */
public record Argon2idKdf(int memoryKiB, int iterations, int parallelism) {
  /** DESIGN.md's parameters: m = 64 MiB, t = 3, p = 1. */
  public static final Argon2idKdf DEFAULT = new Argon2idKdf(64 * 1024, 3, 1);

  /** The Argon2 type this class uses; a test asserts it is Argon2id. */
  public static final int ARGON2_TYPE = Argon2Parameters.ARGON2_id;

  /** Validates the parameters. */
  public Argon2idKdf {
    if (memoryKiB < 8 * parallelism || iterations < 1 || parallelism < 1) {
      throw new IllegalArgumentException(
          "invalid Argon2id parameters m=" + memoryKiB + " t=" + iterations + " p=" + parallelism);
    }
  }

  /** Returns {@code SHA-256("Sotto_Account_v1" || serverId || username)}. */
  public static byte[] accountSalt(byte[] serverId, String username) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update("Sotto_Account_v1".getBytes(StandardCharsets.US_ASCII));
      sha.update(serverId);
      sha.update(username.getBytes(StandardCharsets.UTF_8));
      return sha.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Returns the 32-byte master key for a password (UTF-8) and salt. */
  public byte[] masterKey(byte[] password, byte[] salt) {
    return derive(password, salt, null, null, 32);
  }

  /** Returns {@code HKDF(master, info "Sotto_Auth_v1")}, 32 bytes. */
  public static byte[] authKey(byte[] master) {
    return Hkdf.sha256(
        new byte[0], master, "Sotto_Auth_v1".getBytes(StandardCharsets.US_ASCII), 32);
  }

  /** Returns {@code HKDF(master, info "Sotto_Store_v1")}, 32 bytes. */
  public static byte[] storeKey(byte[] master) {
    return Hkdf.sha256(
        new byte[0], master, "Sotto_Store_v1".getBytes(StandardCharsets.US_ASCII), 32);
  }

  /** Argon2id with optional secret and associated data (RFC 9106 inputs K and X). */
  byte[] derive(byte[] password, byte[] salt, byte[] secret, byte[] associated, int length) {
    Argon2Parameters.Builder builder =
        new Argon2Parameters.Builder(ARGON2_TYPE)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(memoryKiB)
            .withIterations(iterations)
            .withParallelism(parallelism)
            .withSalt(salt);
    if (secret != null) {
      builder.withSecret(secret);
    }
    if (associated != null) {
      builder.withAdditional(associated);
    }
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(builder.build());
    byte[] out = new byte[length];
    generator.generateBytes(password, out);
    return out;
  }
}
