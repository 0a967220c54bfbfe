package dev.sotto.server.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's 32-byte master key, from which per-user mailbox sealing keys are derived (HKDF).
 *
 * <p>Where it comes from, first match wins: {@code --master-key FILE}; {@code
 * $CREDENTIALS_DIRECTORY/master-key} when systemd passes it ({@code LoadCredential}); otherwise
 * {@code DATA/master.key}, made (random, mode 0600) on first start. Keeping it outside the data
 * directory means a copy of the data directory alone does not open the mail. A key file holds 32
 * raw bytes, or 64 hex digits (a trailing newline is allowed).
 *
 * <p>Security: {@link #toString} does not print the key; {@link #bytes} returns a copy.
 */
public final class MasterKey {

  private static final Logger logger = LoggerFactory.getLogger(MasterKey.class);

  /** Length of the key, in bytes. */
  public static final int BYTES = 32;

  /** Name of the credential systemd passes ({@code LoadCredential=master-key:...}). */
  public static final String CREDENTIAL_NAME = "master-key";

  private final byte[] key;
  private final Path source;

  private MasterKey(byte[] key, Path source) {
    this.key = key;
    this.source = source;
  }

  /**
   * Finds and loads the master key, or creates {@code DATA/master.key} when no key is configured
   * and none exists yet.
   *
   * @param explicit {@code --master-key}, or null
   * @param credentialsDirectory {@code $CREDENTIALS_DIRECTORY}, or null
   * @param data the data directory
   * @throws IOException when a configured key is missing or malformed
   */
  public static MasterKey resolve(
      Path explicit, String credentialsDirectory, DataDirectory data, SecureRandom random)
      throws IOException {
    if (explicit != null) {
      if (!Files.exists(explicit)) {
        throw new IOException(
            "master key file "
                + explicit
                + " does not exist; make one with: head -c 32 /dev/urandom > "
                + explicit
                + " && chmod 600 "
                + explicit);
      }
      return load(explicit);
    }
    if (credentialsDirectory != null && !credentialsDirectory.isEmpty()) {
      Path credential = Path.of(credentialsDirectory, CREDENTIAL_NAME);
      if (Files.exists(credential)) {
        return load(credential);
      }
    }
    Path file = data.defaultMasterKey();
    if (Files.exists(file)) {
      return load(file);
    }
    byte[] fresh = new byte[BYTES];
    random.nextBytes(fresh);
    SecureFiles.writeAtomically(file, fresh, "rw-------");
    logger.info("event=master-key outcome=created file={}", file);
    return new MasterKey(fresh, file);
  }

  /**
   * Loads a key file.
   *
   * @throws IOException when it cannot be read or holds neither 32 bytes nor 64 hex digits
   */
  public static MasterKey load(Path file) throws IOException {
    byte[] raw = Files.readAllBytes(file);
    byte[] key;
    if (raw.length == BYTES) {
      key = raw;
    } else {
      String text = new String(raw, StandardCharsets.US_ASCII).strip();
      if (text.length() != 2 * BYTES) {
        Arrays.fill(raw, (byte) 0);
        throw new IOException(
            "master key file "
                + file
                + " must hold 32 bytes or 64 hex digits, found "
                + raw.length
                + " bytes");
      }
      try {
        key = HexFormat.of().parseHex(text);
      } catch (IllegalArgumentException e) {
        throw new IOException("master key file " + file + " holds 64 characters that are not hex");
      } finally {
        Arrays.fill(raw, (byte) 0);
      }
    }
    if (SecureFiles.isReadableByOthers(file)) {
      logger.warn(
          "event=master-key outcome=loaded detail=\"{} is readable by group or others;"
              + " chmod 600 it\"",
          file);
    } else {
      logger.info("event=master-key outcome=loaded file={}", file);
    }
    return new MasterKey(key, file);
  }

  /** A copy of the key bytes. */
  public byte[] bytes() {
    return key.clone();
  }

  /** The file it was read from. */
  public Path source() {
    return source;
  }

  @Override
  public String toString() {
    return "MasterKey[from " + source + "]";
  }
}
