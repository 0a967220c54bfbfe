package dev.sotto.server;

import dev.sotto.server.account.RegistrationPolicy;
import dev.sotto.server.net.NetConfig;
import dev.sotto.server.throttle.Throttles;
import dev.sotto.store.StoreOptions;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything a server start needs.
 *
 * @param host the address to listen on
 * @param port the port (0: any free port)
 * @param dataDir the data directory
 * @param registration who may register
 * @param masterKeyFile {@code --master-key}, or null
 * @param credentialsDirectory {@code $CREDENTIALS_DIRECTORY} (systemd), or null
 * @param net connection limits and timeouts
 * @param throttles rate limiter shapes
 * @param storeOptions store tuning
 * @param eventLoops event loop threads, one listener verticle each
 * @param messaging mailbox quotas, prekey limits, delivery settings
 */
public record ServerConfig(
    String host,
    int port,
    Path dataDir,
    RegistrationPolicy registration,
    Path masterKeyFile,
    String credentialsDirectory,
    NetConfig net,
    Throttles.Config throttles,
    StoreOptions storeOptions,
    int eventLoops,
    MessagingConfig messaging) {

  public ServerConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(registration, "registration");
    Objects.requireNonNull(net, "net");
    Objects.requireNonNull(throttles, "throttles");
    Objects.requireNonNull(storeOptions, "storeOptions");
    Objects.requireNonNull(messaging, "messaging");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("expected a port 0..65535, got " + port);
    }
    if (eventLoops < 1) {
      throw new IllegalArgumentException("expected at least one event loop, got " + eventLoops);
    }
  }

  /** Product defaults for {@code dataDir}: 127.0.0.1:7443, open registration, 2 x cores loops. */
  public static ServerConfig defaults(Path dataDir) {
    return new ServerConfig(
        "127.0.0.1",
        7443,
        dataDir,
        RegistrationPolicy.OPEN,
        null,
        System.getenv("CREDENTIALS_DIRECTORY"),
        NetConfig.defaults(),
        Throttles.Config.defaults(),
        StoreOptions.defaults(),
        2 * Runtime.getRuntime().availableProcessors(),
        MessagingConfig.defaults());
  }

  /** This config listening elsewhere. */
  public ServerConfig withListen(String newHost, int newPort) {
    return new ServerConfig(
        newHost,
        newPort,
        dataDir,
        registration,
        masterKeyFile,
        credentialsDirectory,
        net,
        throttles,
        storeOptions,
        eventLoops,
        messaging);
  }

  /** This config with another registration policy. */
  public ServerConfig withRegistration(RegistrationPolicy policy) {
    return new ServerConfig(
        host,
        port,
        dataDir,
        policy,
        masterKeyFile,
        credentialsDirectory,
        net,
        throttles,
        storeOptions,
        eventLoops,
        messaging);
  }

  /** This config with a master key file. */
  public ServerConfig withMasterKeyFile(Path file) {
    return new ServerConfig(
        host,
        port,
        dataDir,
        registration,
        file,
        credentialsDirectory,
        net,
        throttles,
        storeOptions,
        eventLoops,
        messaging);
  }

  /** This config with other connection limits. */
  public ServerConfig withNet(NetConfig newNet) {
    return new ServerConfig(
        host,
        port,
        dataDir,
        registration,
        masterKeyFile,
        credentialsDirectory,
        newNet,
        throttles,
        storeOptions,
        eventLoops,
        messaging);
  }

  /** This config with other throttles. */
  public ServerConfig withThrottles(Throttles.Config newThrottles) {
    return new ServerConfig(
        host,
        port,
        dataDir,
        registration,
        masterKeyFile,
        credentialsDirectory,
        net,
        newThrottles,
        storeOptions,
        eventLoops,
        messaging);
  }

  /** This config with another number of event loops. */
  public ServerConfig withEventLoops(int n) {
    return new ServerConfig(
        host,
        port,
        dataDir,
        registration,
        masterKeyFile,
        credentialsDirectory,
        net,
        throttles,
        storeOptions,
        n,
        messaging);
  }

  /** This config with other messaging limits. */
  public ServerConfig withMessaging(MessagingConfig newMessaging) {
    return new ServerConfig(
        host,
        port,
        dataDir,
        registration,
        masterKeyFile,
        credentialsDirectory,
        net,
        throttles,
        storeOptions,
        eventLoops,
        newMessaging);
  }
}
