package dev.sotto.server;

import dev.sotto.server.account.AccountService;
import dev.sotto.server.account.AccountStore;
import dev.sotto.server.data.DataDirectory;
import dev.sotto.server.data.MasterKey;
import dev.sotto.server.delivery.DeliveryService;
import dev.sotto.server.delivery.LocalRouter;
import dev.sotto.server.directory.PreKeyDirectory;
import dev.sotto.server.mailbox.MailboxSealer;
import dev.sotto.server.mailbox.Mailboxes;
import dev.sotto.server.messaging.MessagingHandlers;
import dev.sotto.server.net.ConnectionHub;
import dev.sotto.server.net.ConnectionRegistry;
import dev.sotto.server.net.CoreHandlers;
import dev.sotto.server.net.Dispatcher;
import dev.sotto.server.net.EventLoopExecutors;
import dev.sotto.server.net.NativeIo;
import dev.sotto.server.net.ServerVerticle;
import dev.sotto.server.presence.PresenceRegistry;
import dev.sotto.server.throttle.Throttles;
import dev.sotto.server.tls.ServerCertificate;
import dev.sotto.store.JournaledStore;
import dev.sotto.store.Store;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.net.BindException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running server: data directory lock, master key, store, certificate, accounts and one TLS
 * listener per event loop.
 *
 * <p>{@link #stop} shuts down in order: stop accepting, let in-flight requests answer and their
 * writes flush (up to {@link dev.sotto.server.net.NetConfig#shutdownGrace()}), tell the remaining
 * clients {@code SHUTTING_DOWN}, close the store cleanly (its clean marker spares the next start a
 * recovery), stop Vert.x, release the lock.
 */
public final class SottoServer implements AutoCloseable, ServerSupervisor.Instance {

  private static final Logger logger = LoggerFactory.getLogger(SottoServer.class);

  private final ServerConfig config;
  private final DataDirectory.Lock lock;
  private final MasterKey masterKey;
  private final Store store;
  private final ServerCertificate certificate;
  private final byte[] serverId;
  private final AccountService accounts;
  private final ConnectionHub hub;
  private final Vertx vertx;
  private final List<String> deployments;
  private final int port;
  private final MessagingHandlers messaging;
  private final CompletionStage<Throwable> storeFailure;
  private boolean stopped;

  private SottoServer(
      ServerConfig config,
      DataDirectory.Lock lock,
      MasterKey masterKey,
      Store store,
      ServerCertificate certificate,
      byte[] serverId,
      AccountService accounts,
      ConnectionHub hub,
      Vertx vertx,
      List<String> deployments,
      int port,
      MessagingHandlers messaging,
      CompletionStage<Throwable> storeFailure) {
    this.messaging = messaging;
    this.storeFailure = storeFailure;
    this.config = config;
    this.lock = lock;
    this.masterKey = masterKey;
    this.store = store;
    this.certificate = certificate;
    this.serverId = serverId;
    this.accounts = accounts;
    this.hub = hub;
    this.vertx = vertx;
    this.deployments = deployments;
    this.port = port;
  }

  private static void timer(Vertx vertx, long delayMs, Runnable task) {
    try {
      vertx.setTimer(delayMs, id -> task.run());
    } catch (IllegalStateException e) {
      logger.debug("event=timer outcome=skipped detail=\"{}\"", e.toString());
    }
  }

  /**
   * Starts a server and returns once it listens.
   *
   * @throws IOException when the data directory is in use ({@link
   *     dev.sotto.server.data.DataDirectoryLockedException}), or a key, certificate or the store
   *     cannot be read or made
   * @throws BindException when the address cannot be bound (in use, or not this machine's); its
   *     message names the address: {@code cannot listen on HOST:PORT: address already in use}
   * @throws IllegalStateException when the listener does not start for another reason
   */
  public static SottoServer start(ServerConfig config) throws IOException {
    SecureRandom random = new SecureRandom();
    DataDirectory data = DataDirectory.open(config.dataDir());
    DataDirectory.Lock lock = data.lock("server");
    List<AutoCloseable> opened = new ArrayList<>();
    opened.add(lock);
    try {
      MasterKey masterKey =
          MasterKey.resolve(config.masterKeyFile(), config.credentialsDirectory(), data, random);
      JournaledStore journaled = JournaledStore.open(data.store(), config.storeOptions());
      Store store = journaled;
      opened.add(0, store);
      AccountStore accountStore = new AccountStore(store);
      byte[] serverId = accountStore.loadOrCreateServerId(random);
      ServerCertificate certificate = ServerCertificate.loadOrCreate(data.tls(), random);
      Throttles throttles = new Throttles(config.throttles(), System::nanoTime);
      AccountService accounts =
          new AccountService(
              accountStore, config.registration(), throttles, random, System::currentTimeMillis);
      accounts.loadCache();
      MessagingConfig mc = config.messaging();
      Vertx vertx =
          Vertx.vertx(
              new VertxOptions()
                  .setEventLoopPoolSize(config.eventLoops())
                  .setPreferNativeTransport(NativeIo.enabled()));
      opened.add(0, () -> vertx.close().await(10, TimeUnit.SECONDS));
      PresenceRegistry presence = PresenceRegistry.open(store).join();
      Mailboxes mailboxes =
          Mailboxes.open(
                  store,
                  new MailboxSealer(masterKey.bytes()),
                  presence::isBlocked,
                  Clock.systemUTC(),
                  mc.mailbox(),
                  EventLoopExecutors::current)
              .join();
      PreKeyDirectory directory = new PreKeyDirectory(store, mc.preKeys());
      DeliveryService delivery =
          new DeliveryService(
              mailboxes,
              presence,
              new LocalRouter(),
              user -> CompletableFuture.completedFuture(accounts.find(user).isPresent()),
              mc.delivery());
      ConnectionRegistry registry = new ConnectionRegistry();
      MessagingHandlers messaging =
          new MessagingHandlers(
              accounts,
              directory,
              mc.preKeys(),
              presence,
              delivery,
              mc.delivery(),
              registry,
              mc.maxListedUsers(),
              throttles,
              mc.presencePushInterval(),
              (delayMs, task) -> timer(vertx, delayMs, task));
      Dispatcher dispatcher = new Dispatcher();
      new CoreHandlers(accounts, serverId, config.net(), System::currentTimeMillis)
          .register(dispatcher);
      messaging.register(dispatcher);
      ConnectionHub hub =
          new ConnectionHub(
              config.net(), dispatcher, registry, throttles, System::nanoTime, messaging);
      KeyManagerFactory kmf = certificate.keyManagerFactory();
      List<String> deployments = new ArrayList<>();
      // One deployment of N instances: Vert.x shares one listening socket among the instances of
      // a deployment (also a random port 0) and spreads accepted connections across them.
      List<ServerVerticle> instances = new java.util.concurrent.CopyOnWriteArrayList<>();
      deployments.add(
          awaitListening(
              config,
              vertx.deployVerticle(
                  () -> {
                    ServerVerticle v = new ServerVerticle(hub, kmf, config.host(), config.port());
                    instances.add(v);
                    return v;
                  },
                  new DeploymentOptions().setInstances(config.eventLoops()))));
      int port = instances.get(0).actualPort();
      vertx.setPeriodic(1000, t -> throttles.sweep());
      vertx.setPeriodic(
          mc.sweepInterval().toMillis(),
          t ->
              mailboxes
                  .sweepExpired()
                  .whenComplete(
                      (n, err) -> {
                        if (err != null) {
                          logger.warn("event=sweep outcome=failed detail=\"{}\"", err.toString());
                        }
                      }));
      SottoServer server =
          new SottoServer(
              config,
              lock,
              masterKey,
              store,
              certificate,
              serverId,
              accounts,
              hub,
              vertx,
              deployments,
              port,
              messaging,
              journaled.failure());
      logger.info(
          "event=start listen={}:{} data={} registration={} accounts={} event_loops={}"
              + " io=\"{}, {}\" outcome=ok",
          config.host(),
          port,
          data.root(),
          config.registration(),
          accounts.accountCount(),
          config.eventLoops(),
          NativeIo.describe(),
          vertx.isNativeTransportEnabled() ? "epoll" : "NIO");
      return server;
    } catch (IOException | RuntimeException | Error e) {
      for (AutoCloseable c : opened) {
        try {
          c.close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  /** Waits for the listeners' deployment; a bind failure becomes a {@link BindException}. */
  private static <T> T awaitListening(ServerConfig config, io.vertx.core.Future<T> f)
      throws BindException {
    try {
      return f.await(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("the listener did not start within 30 s", e);
    } catch (Exception e) {
      // Future.await rethrows the failure as it is, checked ones (BindException) included.
      for (Throwable t = e; t != null; t = t.getCause()) {
        String why = null;
        if (t instanceof BindException bind) {
          why = bind.getMessage();
        } else if (t instanceof IOException io
            && io.getMessage() != null
            && io.getMessage().startsWith("bind(")) {
          // epoll's native form: "bind(..) failed with error(-98): Address already in use"
          int colon = io.getMessage().lastIndexOf("): ");
          why = colon < 0 ? io.getMessage() : io.getMessage().substring(colon + 3);
        }
        if (t instanceof IOException && (t instanceof BindException || why != null)) {
          BindException clear = new BindException(cannotListen(config, why));
          clear.initCause(e);
          throw clear;
        }
      }
      throw new IllegalStateException(
          "cannot listen: " + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
    }
  }

  /** {@code cannot listen on HOST:PORT: address already in use} (the OS's words, lower case). */
  private static String cannotListen(ServerConfig config, String osWords) {
    String host = config.host().indexOf(':') >= 0 ? "[" + config.host() + "]" : config.host();
    String why = osWords == null || osWords.isBlank() ? "bind failed" : osWords;
    return "cannot listen on "
        + host
        + ":"
        + config.port()
        + ": "
        + why.substring(0, 1).toLowerCase(java.util.Locale.ROOT)
        + why.substring(1);
  }

  /** The port the listeners are bound to. */
  public int port() {
    return port;
  }

  /** The certificate (for its fingerprint). */
  public ServerCertificate certificate() {
    return certificate;
  }

  /** The 16-byte server id. */
  public byte[] serverId() {
    return serverId.clone();
  }

  /** The master key, for mailbox sealing. */
  public MasterKey masterKey() {
    return masterKey;
  }

  /** The accounts. */
  public AccountService accounts() {
    return accounts;
  }

  /** The connection services (registry of logged-in connections, open count). */
  public ConnectionHub hub() {
    return hub;
  }

  /** The messaging handlers (delivery sessions, for tests and metrics). */
  public MessagingHandlers messaging() {
    return messaging;
  }

  /**
   * Completes with the cause if the store fails while the server runs (see {@link
   * JournaledStore#failure()}): the server then still answers, but cannot store for long. {@link
   * ServerSupervisor} restarts it in the same process, and the store's open rebuilds MapDB.
   */
  @Override
  public CompletionStage<Throwable> storeFailure() {
    return storeFailure;
  }

  /** The configuration it runs with. */
  public ServerConfig config() {
    return config;
  }

  /** Shuts down cleanly (see the class description); idempotent and blocking. */
  @Override
  public synchronized void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    long t0 = System.nanoTime();
    long graceMs = config.net().shutdownGrace().toMillis() + 2000;
    for (String id : deployments) {
      try {
        vertx.undeploy(id).await(graceMs, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        logger.warn("event=stop step=listeners outcome=timeout detail=\"{}\"", e.toString());
      }
    }
    try {
      store.close();
    } catch (RuntimeException e) {
      logger.error("event=stop step=store outcome=failed", e);
    }
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      logger.warn("event=stop step=vertx outcome=timeout detail=\"{}\"", e.toString());
    }
    try {
      lock.close();
    } catch (IOException e) {
      logger.warn("event=stop step=lock outcome=failed detail=\"{}\"", e.toString());
    }
    logger.info(
        "event=stop outcome=ok took_ms={}", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
  }

  @Override
  public void close() {
    stop();
  }
}
