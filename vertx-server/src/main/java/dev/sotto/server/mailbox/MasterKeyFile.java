package dev.sotto.server.mailbox;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mailbox master key file: 32 random bytes, mode 0600. Keep it apart from the data directory
 * where the deployment allows (for example systemd {@code LoadCredential}), so a copy of the data
 * directory alone does not open the mail.
 */
public final class MasterKeyFile {
  private static final Logger logger = LoggerFactory.getLogger(MasterKeyFile.class);
  private static final int KEY_LEN = 32;

  private MasterKeyFile() {}

  /**
   * Reads the key at {@code file}, or creates it (mode 0600, fsynced) when it does not exist.
   *
   * @throws IOException if the file cannot be read or written, or does not hold exactly 32 bytes
   */
  public static byte[] loadOrCreate(Path file) throws IOException {
    if (!Files.exists(file)) {
      byte[] key = new byte[KEY_LEN];
      new SecureRandom().nextBytes(key);
      try {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
          ch.write(ByteBuffer.wrap(key));
          ch.force(true);
        }
        logger.info("Created mailbox master key file {}", file);
        return key;
      } catch (FileAlreadyExistsException raced) {
        // Another process made it first: read theirs.
      }
    }
    byte[] key = Files.readAllBytes(file);
    if (key.length != KEY_LEN) {
      throw new IOException("master key file " + file + " must hold 32 bytes, holds " + key.length);
    }
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      if (perms.contains(PosixFilePermission.GROUP_READ)
          || perms.contains(PosixFilePermission.OTHERS_READ)) {
        logger.warn("Master key file {} is readable by others; run chmod 600 on it", file);
      }
    } catch (UnsupportedOperationException ignored) {
      // Not a POSIX file system: nothing to check.
    }
    return key;
  }
}
