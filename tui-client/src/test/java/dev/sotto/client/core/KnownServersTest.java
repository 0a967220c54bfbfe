package dev.sotto.client.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnownServersTest {

  @TempDir Path dir;

  private static final Fingerprint A = Fingerprint.of(filled(0xAA));
  private static final Fingerprint B = Fingerprint.of(filled(0xBB));
  private static final ServerAddress S1 = ServerAddress.parse("chat.lan:7443");
  private static final ServerAddress S2 = ServerAddress.parse("[::1]:9000");

  @Test
  void lookup_missingFile_empty() throws Exception {
    KnownServers k = new KnownServers(dir.resolve("sub/known_servers"));
    assertThat(k.lookup(S1)).isEmpty();
    assertThat(k.lineOf(S1)).isZero();
  }

  @Test
  void pin_thenLookup_findsItInSshLikeLine() throws Exception {
    Path file = dir.resolve("cfg/known_servers");
    KnownServers k = new KnownServers(file);
    k.pin(S1, A);
    k.pin(S2, B);
    assertThat(k.lookup(S1)).contains(A);
    assertThat(k.lookup(S2)).contains(B);
    assertThat(Files.readAllLines(file))
        .containsExactly("chat.lan:7443 " + A.hex(), "[::1]:9000 " + B.hex());
    assertThat(k.lineOf(S2)).isEqualTo(2);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
        .isEqualTo("rwx------");
  }

  @Test
  void pin_again_replacesInPlaceAndKeepsCommentsAndUnknownLines() throws Exception {
    Path file = dir.resolve("known_servers");
    Files.writeString(
        file, "# my servers\n\nchat.lan:7443 " + A.hex() + "\nweird line from the future\n");
    KnownServers k = new KnownServers(file);
    k.pin(S1, B);
    assertThat(Files.readAllLines(file))
        .containsExactly(
            "# my servers", "", "chat.lan:7443 " + B.hex(), "weird line from the future");
    assertThat(k.lookup(S1)).contains(B);
  }

  @Test
  void lookup_otherPortOrHost_notConfused() throws Exception {
    KnownServers k = new KnownServers(dir.resolve("known_servers"));
    k.pin(S1, A);
    assertThat(k.lookup(ServerAddress.parse("chat.lan:7444"))).isEmpty();
    assertThat(k.lookup(ServerAddress.parse("chat.la:7443"))).isEmpty();
    assertThat(k.lookup(ServerAddress.parse("CHAT.LAN:7443"))).contains(A);
  }

  @Test
  void forget_removesOnlyThatServer() throws Exception {
    KnownServers k = new KnownServers(dir.resolve("known_servers"));
    k.pin(S1, A);
    k.pin(S2, B);
    assertThat(k.forget(S1)).isTrue();
    assertThat(k.forget(S1)).isFalse();
    assertThat(k.lookup(S1)).isEmpty();
    assertThat(k.lookup(S2)).contains(B);
  }

  @Test
  void lookup_corruptFingerprint_ignoredNotThrown() throws Exception {
    Path file = dir.resolve("known_servers");
    Files.writeString(file, "chat.lan:7443 nothex\n");
    assertThat(new KnownServers(file).lookup(S1)).isEmpty();
  }

  @Test
  void pin_concurrentWriters_loseNoEntryAndLeaveNoTempFiles() throws Exception {
    Path file = dir.resolve("known_servers");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> futures = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      ServerAddress s = new ServerAddress("host" + i, 7443);
      futures.add(
          pool.submit(
              () -> {
                new KnownServers(file).pin(s, A);
                return null;
              }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    pool.shutdown();
    KnownServers k = new KnownServers(file);
    for (int i = 0; i < 40; i++) {
      assertThat(k.lookup(new ServerAddress("host" + i, 7443))).contains(A);
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("known_servers", "known_servers.lock");
    }
    assertThat(new String(Files.readAllBytes(file), StandardCharsets.UTF_8)).endsWith("\n");
  }

  private static byte[] filled(int v) {
    byte[] b = new byte[32];
    java.util.Arrays.fill(b, (byte) v);
    return b;
  }
}
