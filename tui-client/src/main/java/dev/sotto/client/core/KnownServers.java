package dev.sotto.client.core;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The servers this user has decided to trust, pinned by certificate fingerprint, like SSH's {@code
 * known_hosts}. One line per server, {@code host:port sha256-hex}; blank lines and lines starting
 * with {@code #} are comments and, like lines this version cannot read, are kept as they are when
 * the file is rewritten.
 *
 * <p>Trust on first use: the first connection to a server records its fingerprint (after the user
 * agreed, see {@link ServerTrust}); every later connection must present the same key or is refused
 * with {@link CertificateChangedException}. Each change rewrites the file atomically (temporary
 * file, fsync, rename) under a lock file, so a crash or a second client never leaves half a file.
 */
public final class KnownServers {

  private static final Logger logger = LoggerFactory.getLogger(KnownServers.class);

  /** Bound on the file we are willing to read: far above any real list of servers. */
  private static final long MAX_FILE_BYTES = 1 << 20;

  private static final Object JVM_LOCK = new Object();

  private final Path file;

  /**
   * @param file the known_servers file; it need not exist yet
   */
  public KnownServers(Path file) {
    this.file = Objects.requireNonNull(file, "file").toAbsolutePath();
  }

  /** The file this instance reads and writes. */
  public Path file() {
    return file;
  }

  /**
   * The fingerprint pinned for {@code server}, if any.
   *
   * @throws IOException if the file exists but cannot be read
   */
  public Optional<Fingerprint> lookup(ServerAddress server) throws IOException {
    String key = server.toString();
    for (String line : readLines()) {
      Optional<Fingerprint> fp = parse(line, key);
      if (fp.isPresent()) {
        return fp;
      }
    }
    return Optional.empty();
  }

  /**
   * The 1-based line of {@code server}'s entry, for messages that tell a person what to edit; 0
   * when there is none.
   */
  public int lineOf(ServerAddress server) throws IOException {
    String key = server.toString();
    List<String> lines = readLines();
    for (int i = 0; i < lines.size(); i++) {
      if (parse(lines.get(i), key).isPresent()) {
        return i + 1;
      }
    }
    return 0;
  }

  /**
   * Pins {@code fingerprint} for {@code server}, replacing an earlier pin of that server.
   *
   * @throws IOException if the file cannot be written; it is then unchanged
   */
  public void pin(ServerAddress server, Fingerprint fingerprint) throws IOException {
    String key = server.toString();
    update(
        lines -> {
          List<String> out = new ArrayList<>();
          boolean replaced = false;
          for (String line : lines) {
            if (parse(line, key).isPresent()) {
              if (!replaced) {
                out.add(key + " " + fingerprint.hex());
                replaced = true;
              }
            } else {
              out.add(line);
            }
          }
          if (!replaced) {
            out.add(key + " " + fingerprint.hex());
          }
          return out;
        });
    logger.info("pinned server {} as {}", key, fingerprint);
  }

  /**
   * Removes the pin of {@code server}.
   *
   * @return whether there was one
   * @throws IOException if the file cannot be written; it is then unchanged
   */
  public boolean forget(ServerAddress server) throws IOException {
    String key = server.toString();
    boolean[] removed = {false};
    update(
        lines -> {
          List<String> out = new ArrayList<>();
          for (String line : lines) {
            if (parse(line, key).isPresent()) {
              removed[0] = true;
            } else {
              out.add(line);
            }
          }
          return out;
        });
    if (removed[0]) {
      logger.info("forgot server {}", key);
    }
    return removed[0];
  }

  private interface Edit {
    List<String> apply(List<String> lines);
  }

  private void update(Edit edit) throws IOException {
    AtomicFiles.createPrivateDirectories(file.getParent());
    Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
    synchronized (JVM_LOCK) {
      try (FileChannel ch =
              FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = ch.lock()) {
        List<String> lines = edit.apply(readLines());
        StringBuilder sb = new StringBuilder();
        for (String line : lines) {
          sb.append(line).append('\n');
        }
        AtomicFiles.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  private List<String> readLines() throws IOException {
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new IOException(
            file + " is larger than " + MAX_FILE_BYTES + " bytes; not reading it");
      }
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return List.of();
    }
  }

  /** The fingerprint on {@code line} if the line is an entry for {@code key}. */
  private Optional<Fingerprint> parse(String line, String key) {
    String s = line.strip();
    if (s.isEmpty() || s.startsWith("#")) {
      return Optional.empty();
    }
    String[] parts = s.split("\\s+");
    if (parts.length < 2 || !parts[0].equalsIgnoreCase(key)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Fingerprint.parse(parts[1]));
    } catch (IllegalArgumentException e) {
      logger.warn("ignoring an unreadable entry for {} in {}", key, file);
      return Optional.empty();
    }
  }
}
