package dev.sotto.client.core;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * What the client remembers between runs: the default server and user, saved by a successful login
 * so later commands need no flags. Stored as a properties file with keys {@code server} and {@code
 * user}, rewritten atomically.
 *
 * @param server the default server, if any
 * @param user the default (canonical) user, if any
 */
public record ClientSettings(Optional<ServerAddress> server, Optional<String> user) {

  /** No defaults. */
  public static final ClientSettings EMPTY = new ClientSettings(Optional.empty(), Optional.empty());

  /**
   * Reads {@code file}; a missing file gives {@link #EMPTY}, unreadable values are ignored.
   *
   * @throws IOException if the file exists but cannot be read
   */
  public static ClientSettings load(Path file) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (NoSuchFileException e) {
      return EMPTY;
    }
    Optional<ServerAddress> server = Optional.empty();
    String s = p.getProperty("server");
    if (s != null) {
      try {
        server = Optional.of(ServerAddress.parse(s));
      } catch (IllegalArgumentException e) {
        server = Optional.empty();
      }
    }
    String u = p.getProperty("user");
    Optional<String> user =
        u != null && dev.sotto.wire.Usernames.isCanonical(u) ? Optional.of(u) : Optional.empty();
    return new ClientSettings(server, user);
  }

  /**
   * Writes these settings to {@code file} atomically.
   *
   * @throws IOException if the file cannot be written; it is then unchanged
   */
  public void save(Path file) throws IOException {
    Properties p = new Properties();
    server.ifPresent(s -> p.setProperty("server", s.toString()));
    user.ifPresent(u -> p.setProperty("user", u));
    StringWriter w = new StringWriter();
    p.store(w, "Sotto client defaults, written by 'sotto login'");
    AtomicFiles.write(file, w.toString().getBytes(StandardCharsets.UTF_8));
  }
}
