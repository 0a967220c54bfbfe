package dev.sotto.keystore.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Reads test vectors: Wycheproof files from {@code ${sotto.vectors.dir}/wycheproof/} (never copied
 * into the project; skipped with a message when missing, failed when {@code CI=true}), and our own
 * known-answer vectors from the classpath.
 */
public final class Vectors {
  private Vectors() {}

  /** One Wycheproof test with its group's fields. */
  public record Case(Map<String, Object> group, Map<String, Object> test) {
    /** Returns a hex field of the test as bytes. */
    public byte[] hex(String name) {
      return Vectors.hex((String) test.get(name));
    }

    /** Returns a string field of the test. */
    public String str(String name) {
      return (String) test.get(name);
    }

    /** Returns the test's result: valid, invalid or acceptable. */
    public String result() {
      return (String) test.get("result");
    }

    /** Returns the test's flags. */
    @SuppressWarnings("unchecked")
    public List<String> flags() {
      return (List<String>) test.getOrDefault("flags", List.of());
    }

    @Override
    public String toString() {
      return "tcId " + test.get("tcId") + " " + test.getOrDefault("comment", "");
    }
  }

  /** Returns every test case of a Wycheproof file, or skips (fails under CI) if it is missing. */
  @SuppressWarnings("unchecked")
  public static List<Case> wycheproof(String file) {
    String dir = System.getProperty("sotto.vectors.dir");
    Path path = dir == null ? null : Path.of(dir, "wycheproof", file);
    if (path == null || !Files.isRegularFile(path)) {
      String message = "Wycheproof vectors not found at " + path + " (sotto.vectors.dir)";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError(message + "; they are required when CI=true");
      }
      assumeTrue(false, message + "; skipping");
    }
    try {
      Map<String, Object> root =
          (Map<String, Object>) Json.parse(Files.readString(path, StandardCharsets.UTF_8));
      List<Case> out = new ArrayList<>();
      for (Object g : (List<Object>) root.get("testGroups")) {
        Map<String, Object> group = (Map<String, Object>) g;
        for (Object t : (List<Object>) group.get("tests")) {
          out.add(new Case(group, (Map<String, Object>) t));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Returns our known-answer vectors (kat.json, written by src/test/python/kat.py). */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> kat() {
    try (InputStream in = Vectors.class.getResourceAsStream("/vectors/kat.json")) {
      return (Map<String, Object>)
          Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Decodes hex. */
  public static byte[] hex(String s) {
    return HexFormat.of().parseHex(s);
  }

  /** Encodes hex. */
  public static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
