package dev.sotto.server.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DataDirectory (layout, lock) and MasterKey. */
class DataDirectoryTest {

  private final SecureRandom random = new SecureRandom();

  @Test
  void open_createsOwnerOnlyDirectory(@TempDir Path dir) throws Exception {
    DataDirectory d = DataDirectory.open(dir.resolve("a/b"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(d.root())))
        .isEqualTo("rwx------");
    assertThat(d.store()).isEqualTo(d.root().resolve("store"));
  }

  @Test
  void lock_secondHolderRefused_namingPid_releasedOnClose(@TempDir Path dir) throws Exception {
    DataDirectory d = DataDirectory.open(dir);
    try (DataDirectory.Lock held = d.lock("server")) {
      assertThatThrownBy(() -> d.lock("admin"))
          .isInstanceOf(DataDirectoryLockedException.class)
          .hasMessageContaining("process " + ProcessHandle.current().pid() + " server")
          .hasMessageContaining("stop the server");
    }
    try (DataDirectory.Lock again = d.lock("admin")) {
      assertThat(Files.readString(dir.resolve("server.lock"))).contains(" admin");
    }
  }

  @Test
  void masterKey_createdOnce_0600_thenReused(@TempDir Path dir) throws Exception {
    DataDirectory d = DataDirectory.open(dir);
    MasterKey first = MasterKey.resolve(null, null, d, random);
    assertThat(first.source()).isEqualTo(d.defaultMasterKey());
    assertThat(Files.size(d.defaultMasterKey())).isEqualTo(32);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(d.defaultMasterKey())))
        .isEqualTo("rw-------");
    assertThat(MasterKey.resolve(null, null, d, random).bytes()).isEqualTo(first.bytes());
    assertThat(first.toString()).doesNotContain(HexFormat.of().formatHex(first.bytes()));
  }

  @Test
  void masterKey_credentialsDirectoryPreferred_explicitFileFirst(@TempDir Path dir)
      throws Exception {
    DataDirectory d = DataDirectory.open(dir.resolve("data"));
    Path creds = Files.createDirectory(dir.resolve("creds"));
    byte[] credKey = new byte[32];
    random.nextBytes(credKey);
    Files.write(creds.resolve("master-key"), credKey);
    assertThat(MasterKey.resolve(null, creds.toString(), d, random).bytes()).isEqualTo(credKey);
    assertThat(Files.exists(d.defaultMasterKey())).isFalse();
    byte[] explicitKey = new byte[32];
    random.nextBytes(explicitKey);
    Path explicit = dir.resolve("explicit.hex");
    Files.writeString(explicit, HexFormat.of().formatHex(explicitKey) + "\n");
    assertThat(MasterKey.resolve(explicit, creds.toString(), d, random).bytes())
        .isEqualTo(explicitKey);
  }

  @Test
  void masterKey_missingOrMalformed_clearError(@TempDir Path dir) throws Exception {
    DataDirectory d = DataDirectory.open(dir.resolve("data"));
    assertThatThrownBy(() -> MasterKey.resolve(dir.resolve("nope"), null, d, random))
        .hasMessageContaining("does not exist")
        .hasMessageContaining("head -c 32 /dev/urandom");
    Path bad = dir.resolve("bad");
    Files.writeString(bad, "too short", StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> MasterKey.load(bad)).hasMessageContaining("32 bytes or 64 hex digits");
    Files.writeString(bad, "zz".repeat(32), StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> MasterKey.load(bad)).hasMessageContaining("not hex");
  }
}
