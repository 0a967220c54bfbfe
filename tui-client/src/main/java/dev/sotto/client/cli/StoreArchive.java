package dev.sotto.client.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The export file of {@code sotto export}: a zip holding {@code sotto-export.properties} (format,
 * server, user) and the local store's files under {@code store/}, copied as they are on disk.
 *
 * <p>What it contains: every record of the local store (identity and prekey private keys, sessions,
 * pinned identities, contacts, history, unread marks, outbox), each sealed with AES-256-GCM under
 * the store's data key, which is itself wrapped by the account's store key (derived from the
 * password, the server's id and the username). Without the password the file shows only what the
 * store's files show (record counts and sizes, DESIGN.md); the server and user names are in clear
 * in the properties. Whoever has the file AND the password has the identity.
 */
final class StoreArchive {
  static final String MANIFEST = "sotto-export.properties";
  static final String PREFIX = "store/";
  static final String FORMAT = "1";

  /** Largest archive entry and total size read back (the store is the user's own). */
  static final long MAX_TOTAL = 8L * 1024 * 1024 * 1024;

  private StoreArchive() {}

  /** Writes the store directory {@code dir} to {@code file} (mode 0600; must not exist). */
  static void write(Path dir, Path file, String server, String user) throws IOException {
    Properties p = new Properties();
    p.setProperty("format", FORMAT);
    p.setProperty("server", server);
    p.setProperty("user", user);
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir)) {
      s.filter(Files::isRegularFile)
          .filter(f -> !f.getFileName().toString().equals("LOCK"))
          .forEach(files::add);
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".part");
    Files.deleteIfExists(tmp);
    Files.createFile(
        tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.TRUNCATE_EXISTING);
        ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry(MANIFEST));
      p.store(zip, "Sotto local store export");
      zip.closeEntry();
      for (Path f : files) {
        String rel = dir.relativize(f).toString().replace('\\', '/');
        zip.putNextEntry(new ZipEntry(PREFIX + rel));
        Files.copy(f, zip);
        zip.closeEntry();
      }
    }
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
  }

  /** The manifest of an export file. */
  static Properties manifest(Path file) throws IOException {
    try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
      ZipEntry e = zip.getNextEntry();
      if (e == null || !e.getName().equals(MANIFEST)) {
        throw new IOException(file + " is not a Sotto export (no " + MANIFEST + " first)");
      }
      Properties p = new Properties();
      p.load(new java.io.InputStreamReader(zip, StandardCharsets.ISO_8859_1));
      if (!FORMAT.equals(p.getProperty("format"))) {
        throw new IOException(file + " has export format " + p.getProperty("format") + ", not 1");
      }
      return p;
    }
  }

  /**
   * Unpacks the store of {@code file} into {@code dir}, which must not exist: into a sibling
   * directory first, then renamed, so a failure leaves no half store.
   */
  static void extract(Path file, Path dir) throws IOException {
    if (Files.exists(dir)) {
      throw new FileAlreadyExistsException(dir.toString(), null, "a local store is already there");
    }
    Files.createDirectories(dir.getParent());
    Path tmp = Files.createTempDirectory(dir.getParent(), ".import-");
    long total = 0;
    try {
      try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
        ZipEntry e;
        while ((e = zip.getNextEntry()) != null) {
          String name = e.getName();
          if (name.equals(MANIFEST) || e.isDirectory()) {
            continue;
          }
          if (!name.startsWith(PREFIX)) {
            throw new IOException("unexpected entry " + name + " in " + file);
          }
          Path target = tmp.resolve(name.substring(PREFIX.length())).normalize();
          if (!target.startsWith(tmp) || target.equals(tmp)) {
            throw new IOException("entry " + name + " points outside the store");
          }
          Files.createDirectories(target.getParent());
          total += copyBounded(zip, target, MAX_TOTAL - total);
        }
      }
      Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      deleteTree(tmp);
      throw e;
    }
  }

  private static long copyBounded(InputStream in, Path target, long budget) throws IOException {
    long n = 0;
    byte[] buf = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW)) {
      int r;
      while ((r = in.read(buf)) > 0) {
        n += r;
        if (n > budget) {
          throw new IOException("the export is larger than " + MAX_TOTAL + " bytes");
        }
        out.write(buf, 0, r);
      }
    }
    return n;
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
