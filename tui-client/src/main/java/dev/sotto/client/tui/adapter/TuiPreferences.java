package dev.sotto.client.tui.adapter;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The full-screen client's per-account choices that the core does not keep: muted conversations and
 * whether to send read receipts. Stored as {@code tui.properties} in the account's data directory,
 * rewritten atomically (temporary file, fsync, rename). Thread-safe.
 */
final class TuiPreferences {

  /** Bound on the file we read: far above any real list of muted conversations. */
  private static final long MAX_BYTES = 256 * 1024;

  private final Path file;
  private final Set<String> muted = new TreeSet<>();
  private boolean readReceipts = true;

  private TuiPreferences(Path file) {
    this.file = file;
  }

  /** Reads the preferences in {@code accountDir}; missing or unreadable ones give the defaults. */
  static TuiPreferences load(Path accountDir) {
    TuiPreferences p = new TuiPreferences(accountDir.resolve("tui.properties"));
    try {
      if (Files.size(p.file) > MAX_BYTES) {
        return p;
      }
      Properties props = new Properties();
      try (Reader r = Files.newBufferedReader(p.file, StandardCharsets.UTF_8)) {
        props.load(r);
      }
      p.readReceipts = !"off".equals(props.getProperty("read-receipts", "on"));
      for (String m : props.getProperty("muted", "").split(",")) {
        if (!m.isBlank()) {
          p.muted.add(m.strip().toLowerCase(Locale.ROOT));
        }
      }
    } catch (NoSuchFileException e) {
      return p;
    } catch (IOException | IllegalArgumentException e) {
      return p; // defaults; the next change rewrites the file
    }
    return p;
  }

  synchronized boolean muted(String peer) {
    return muted.contains(peer);
  }

  synchronized boolean readReceipts() {
    return readReceipts;
  }

  synchronized void setMuted(String peer, boolean mute) throws IOException {
    String p = peer.toLowerCase(Locale.ROOT);
    boolean changed = mute ? muted.add(p) : muted.remove(p);
    if (changed) {
      save();
    }
  }

  synchronized void setReadReceipts(boolean on) throws IOException {
    if (readReceipts != on) {
      readReceipts = on;
      save();
    }
  }

  private void save() throws IOException {
    Properties props = new Properties();
    props.setProperty("read-receipts", readReceipts ? "on" : "off");
    props.setProperty("muted", String.join(",", muted));
    StringWriter w = new StringWriter();
    props.store(w, "Sotto full-screen client: per-account choices");
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(
        tmp,
        w.toString().getBytes(StandardCharsets.UTF_8),
        StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE,
        StandardOpenOption.SYNC);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
