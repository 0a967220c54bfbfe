package dev.sotto.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A server of a test class's own ({@link ServerIT#testConfig}: port 0, a temporary data directory
 * removed afterwards) and fresh user names, so that the class's counts see no other class:
 * {@code @RegisterExtension static final LiveServer live = new LiveServer();}.
 */
final class LiveServer implements BeforeAllCallback, AfterAllCallback {
  private final AtomicInteger names = new AtomicInteger();
  private Path dir;
  private SottoServer server;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    dir = Files.createTempDirectory("sotto-it");
    server = SottoServer.start(ServerIT.testConfig(dir.resolve("data")));
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    if (server != null) {
      server.stop();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(LiveServer::delete);
    }
  }

  private static void delete(Path p) {
    try {
      Files.delete(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  SottoServer server() {
    return server;
  }

  int port() {
    return server.port();
  }

  /** {@code base} followed by a number not used before in this class. */
  String name(String base) {
    return base + names.incrementAndGet();
  }
}
