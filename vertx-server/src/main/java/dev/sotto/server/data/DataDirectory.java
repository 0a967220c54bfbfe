package dev.sotto.server.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * The server's data directory and its layout.
 *
 * <pre>
 * DATA/
 *   server.lock        held (fcntl lock) by the one process using the directory; holds its pid
 *   store/             the journaled store (accounts, invites, server id; mailboxes later)
 *   tls/               server-key.pem (0600), server-cert.pem
 *   master.key         32 random bytes (0600), unless the key comes from elsewhere
 * </pre>
 *
 * <p>One process at a time uses a data directory: the server, or one admin command. {@link #lock}
 * takes an exclusive lock on {@code server.lock}; a second process gets {@link
 * DataDirectoryLockedException} naming the holder's pid.
 */
public final class DataDirectory {

  private final Path root;

  private DataDirectory(Path root) {
    this.root = root;
  }

  /** Opens {@code root}, creating it owner-only (0700) if missing. */
  public static DataDirectory open(Path root) throws IOException {
    Path abs = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
    SecureFiles.createPrivateDirectory(abs);
    return new DataDirectory(abs);
  }

  /** The directory itself. */
  public Path root() {
    return root;
  }

  /** Where the store keeps its files. */
  public Path store() {
    return root.resolve("store");
  }

  /** Where the TLS key and certificate live. */
  public Path tls() {
    return root.resolve("tls");
  }

  /** Where the master key is kept when no other place is given. */
  public Path defaultMasterKey() {
    return root.resolve("master.key");
  }

  /**
   * Takes the directory's exclusive lock and writes this process's pid into the lock file.
   *
   * @param holder what holds it, written after the pid (e.g. {@code "server"}, {@code "admin"})
   * @throws DataDirectoryLockedException when another process (or this one) holds it
   */
  public Lock lock(String holder) throws IOException {
    Path file = root.resolve("server.lock");
    FileChannel ch =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    if (lock == null) {
      String content;
      try {
        content = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).trim();
      } finally {
        ch.close();
      }
      throw new DataDirectoryLockedException(root, content);
    }
    ch.truncate(0);
    ch.write(
        ByteBuffer.wrap(
            (ProcessHandle.current().pid() + " " + holder + "\n").getBytes(StandardCharsets.UTF_8)),
        0);
    ch.force(true);
    return new Lock(ch, lock);
  }

  /** The held lock; closing releases it. */
  public static final class Lock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private Lock(FileChannel channel, FileLock lock) {
      this.channel = channel;
      this.lock = lock;
    }

    @Override
    public void close() throws IOException {
      try {
        if (lock.isValid()) {
          lock.release();
        }
      } finally {
        channel.close();
      }
    }
  }
}
