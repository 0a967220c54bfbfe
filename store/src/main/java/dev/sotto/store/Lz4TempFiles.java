package dev.sotto.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MapDB's lz4 dependency (1.3.0) unpacks {@code liblz4-java*.so} into the temp directory on first
 * use and deletes it only at a normal JVM exit, so every killed process leaves one behind. Once the
 * library is loaded, deleting the file is harmless on Linux (the mapping stays), so this deletes
 * the files that this process has mapped, found in {@code /proc/self/maps}. Elsewhere it does
 * nothing.
 */
final class Lz4TempFiles {
  private static final Logger logger = LoggerFactory.getLogger(Lz4TempFiles.class);
  private static final AtomicBoolean done = new AtomicBoolean();

  private Lz4TempFiles() {}

  /**
   * Makes lz4 load its native library now (as MapDB would on its first open) and deletes the copy
   * at once, so that a kill during a long first open leaves nothing behind.
   */
  static void loadAndDelete() {
    if (done.get()) {
      return;
    }
    try {
      net.jpountz.xxhash.XXHashFactory.fastestInstance();
    } catch (RuntimeException | LinkageError e) {
      logger.debug("lz4 native library not loaded", e);
    }
    deleteOwn();
  }

  static void deleteOwn() {
    if (done.getAndSet(true)) {
      return;
    }
    Path maps = Path.of("/proc/self/maps");
    if (!Files.isReadable(maps)) {
      return;
    }
    Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize();
    try {
      for (String line : Files.readAllLines(maps, StandardCharsets.UTF_8)) {
        int slash = line.indexOf('/');
        if (slash < 0 || !line.contains("liblz4-java")) {
          continue;
        }
        Path lib = Path.of(line.substring(slash).replace(" (deleted)", "").trim());
        String name = lib.getFileName().toString();
        if (lib.getParent() != null
            && lib.getParent().normalize().equals(tmp)
            && name.startsWith("liblz4-java")
            && name.endsWith(".so")
            && Files.deleteIfExists(lib)) {
          logger.debug("deleted lz4 native library copy {}", lib);
        }
      }
    } catch (IOException | RuntimeException e) {
      logger.debug("could not clean lz4 temp files", e);
    }
  }
}
