package dev.sotto.client.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientSettingsTest {

  @TempDir Path dir;

  @Test
  void load_missingFile_isEmpty() throws Exception {
    assertThat(ClientSettings.load(dir.resolve("none.properties"))).isEqualTo(ClientSettings.EMPTY);
  }

  @Test
  void saveThenLoad_roundTripsIncludingIpv6() throws Exception {
    Path file = dir.resolve("cfg/client.properties");
    ClientSettings s =
        new ClientSettings(Optional.of(ServerAddress.parse("[fe80::1]:9000")), Optional.of("bob"));
    s.save(file);
    assertThat(ClientSettings.load(file)).isEqualTo(s);
  }

  @Test
  void load_garbageValues_ignoredNotThrown() throws Exception {
    Path file = dir.resolve("client.properties");
    Files.writeString(file, "server=not a server:99999\nuser=Not Canonical!\n");
    assertThat(ClientSettings.load(file)).isEqualTo(ClientSettings.EMPTY);
  }
}
