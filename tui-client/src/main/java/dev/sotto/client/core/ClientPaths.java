package dev.sotto.client.core;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Where the client keeps its files, following the XDG base directory specification:
 *
 * <ul>
 *   <li>config: {@code $XDG_CONFIG_HOME/sotto/} (default {@code ~/.config/sotto/}): {@code
 *       known_servers} and {@code client.properties} (default server and user);
 *   <li>data: {@code $XDG_DATA_HOME/sotto/} (default {@code ~/.local/share/sotto/}): per account
 *       {@code <host:port>/<user>/} and the log file {@code sotto.log}.
 * </ul>
 *
 * <p>A home override (option {@code --home DIR}, system property {@value #HOME_PROPERTY} or
 * environment variable {@value #HOME_ENV}, in that order) puts everything under {@code
 * DIR/config/sotto/} and {@code DIR/data/sotto/} instead: tests and several local identities use
 * it. Relative XDG variables are ignored, as the specification says.
 *
 * @param configDir the config directory ({@code .../sotto})
 * @param dataDir the data directory ({@code .../sotto})
 */
public record ClientPaths(Path configDir, Path dataDir) {

  /** System property naming a home override. */
  public static final String HOME_PROPERTY = "sotto.home";

  /** Environment variable naming a home override. */
  public static final String HOME_ENV = "SOTTO_HOME";

  /** Checks for nulls and makes the paths absolute. */
  public ClientPaths {
    configDir = Objects.requireNonNull(configDir, "configDir").toAbsolutePath();
    dataDir = Objects.requireNonNull(dataDir, "dataDir").toAbsolutePath();
  }

  /** The paths for this process: its environment, system properties and home directory. */
  public static ClientPaths fromEnvironment(Path homeOverride) {
    return resolve(
        homeOverride,
        System.getenv(),
        System.getProperty(HOME_PROPERTY),
        System.getenv().getOrDefault("HOME", System.getProperty("user.home")));
  }

  /**
   * Resolves the paths from explicit inputs (for tests).
   *
   * @param homeOverride {@code --home}, or {@code null}
   * @param env the environment
   * @param homeProperty the value of {@value #HOME_PROPERTY}, or {@code null}
   * @param userHome the user's home directory
   */
  public static ClientPaths resolve(
      Path homeOverride, Map<String, String> env, String homeProperty, String userHome) {
    Path home = homeOverride;
    if (home == null && homeProperty != null && !homeProperty.isBlank()) {
      home = Path.of(homeProperty);
    }
    if (home == null && env.get(HOME_ENV) != null && !env.get(HOME_ENV).isBlank()) {
      home = Path.of(env.get(HOME_ENV));
    }
    if (home != null) {
      return new ClientPaths(home.resolve("config/sotto"), home.resolve("data/sotto"));
    }
    Path user = Path.of(userHome);
    Path config = xdg(env, "XDG_CONFIG_HOME", user.resolve(".config"));
    Path data = xdg(env, "XDG_DATA_HOME", user.resolve(".local/share"));
    return new ClientPaths(config.resolve("sotto"), data.resolve("sotto"));
  }

  private static Path xdg(Map<String, String> env, String name, Path fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    Path p = Path.of(value);
    return p.isAbsolute() ? p : fallback;
  }

  /**
   * Creates the config and data directories if missing, readable by the owner only.
   *
   * @throws java.io.IOException if one cannot be created
   */
  public void createDirectories() throws java.io.IOException {
    AtomicFiles.createPrivateDirectories(configDir);
    AtomicFiles.createPrivateDirectories(dataDir);
  }

  /** The known_servers file. */
  public Path knownServersFile() {
    return configDir.resolve("known_servers");
  }

  /** The file holding the default server and user. */
  public Path settingsFile() {
    return configDir.resolve("client.properties");
  }

  /** The log file. */
  public Path logFile() {
    return dataDir.resolve("sotto.log");
  }

  /** The data directory of one account: {@code <data>/<host:port>/<user>/}. */
  public Path accountDir(ServerAddress server, String canonicalUsername) {
    Objects.requireNonNull(server, "server");
    if (!dev.sotto.wire.Usernames.isCanonical(canonicalUsername)) {
      throw new IllegalArgumentException("not a canonical username: " + canonicalUsername);
    }
    return dataDir.resolve(server.toString()).resolve(canonicalUsername);
  }
}
