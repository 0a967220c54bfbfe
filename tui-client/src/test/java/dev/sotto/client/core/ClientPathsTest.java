package dev.sotto.client.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sotto.keystore.account.AccountKeys;
import dev.sotto.wire.WireLimits;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientPathsTest {

  @Test
  void resolve_noXdg_usesDotDirectoriesInHome() {
    ClientPaths p = ClientPaths.resolve(null, Map.of(), null, "/home/ann");
    assertThat(p.configDir()).isEqualTo(Path.of("/home/ann/.config/sotto"));
    assertThat(p.dataDir()).isEqualTo(Path.of("/home/ann/.local/share/sotto"));
    assertThat(p.knownServersFile()).isEqualTo(Path.of("/home/ann/.config/sotto/known_servers"));
    assertThat(p.logFile()).isEqualTo(Path.of("/home/ann/.local/share/sotto/sotto.log"));
  }

  @Test
  void resolve_xdgVariables_honoured_relativeOnesIgnored() {
    ClientPaths p =
        ClientPaths.resolve(
            null, Map.of("XDG_CONFIG_HOME", "/x/cfg", "XDG_DATA_HOME", "rel/data"), null, "/h");
    assertThat(p.configDir()).isEqualTo(Path.of("/x/cfg/sotto"));
    assertThat(p.dataDir()).isEqualTo(Path.of("/h/.local/share/sotto"));
  }

  @Test
  void resolve_homeOverride_optionBeatsPropertyBeatsEnv() {
    Map<String, String> env = Map.of("SOTTO_HOME", "/env", "XDG_CONFIG_HOME", "/x");
    assertThat(ClientPaths.resolve(Path.of("/opt"), env, "/prop", "/h").configDir())
        .isEqualTo(Path.of("/opt/config/sotto"));
    assertThat(ClientPaths.resolve(null, env, "/prop", "/h").dataDir())
        .isEqualTo(Path.of("/prop/data/sotto"));
    assertThat(ClientPaths.resolve(null, env, null, "/h").configDir())
        .isEqualTo(Path.of("/env/config/sotto"));
  }

  @Test
  void accountDir_isPerServerAndUser_andRefusesNonCanonicalNames() {
    ClientPaths p = ClientPaths.resolve(Path.of("/t"), Map.of(), null, "/h");
    assertThat(p.accountDir(ServerAddress.parse("lan.host:7443"), "alice"))
        .isEqualTo(Path.of("/t/data/sotto/lan.host:7443/alice"));
    assertThatThrownBy(() -> p.accountDir(ServerAddress.parse("h:1"), "../etc"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void passwordMinimum_keystoreAgreesWithWire() {
    assertThat(AccountKeys.MIN_PASSWORD_LENGTH).isEqualTo(WireLimits.MIN_PASSWORD_LENGTH);
  }
}
