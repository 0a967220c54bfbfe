package dev.sotto.server.net;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;

/**
 * One TLS 1.3 listener on one event loop. The server deploys one instance per event loop, all on
 * the same address; Vert.x spreads accepted connections across them.
 *
 * <p>TLS: only {@code TLSv1.3} is enabled, so a TLS 1.2 (or older) client fails the handshake, and
 * a plain TCP client sending anything but a TLS ClientHello is dropped. Handshakes have {@link
 * NetConfig#tlsHandshakeTimeout()} to finish. The TLS engine is BoringSSL where it loads, else the
 * JDK's ({@link NativeIo}).
 */
public final class ServerVerticle extends VerticleBase {

  /** The only TLS version enabled. */
  public static final String TLS_VERSION = "TLSv1.3";

  private final ConnectionHub hub;
  private final KeyManagerFactory keyManagers;
  private final String host;
  private final int port;
  private NetServer server;
  private long timer = -1;

  /**
   * @param hub shared connection services
   * @param keyManagers the server's key and certificate
   * @param host the address to bind
   * @param port the port to bind (0: any free port, read it from {@link #actualPort()})
   */
  public ServerVerticle(ConnectionHub hub, KeyManagerFactory keyManagers, String host, int port) {
    this.hub = Objects.requireNonNull(hub, "hub");
    this.keyManagers = Objects.requireNonNull(keyManagers, "keyManagers");
    this.host = Objects.requireNonNull(host, "host");
    this.port = port;
  }

  @Override
  public Future<?> start() {
    NetServerOptions options =
        new NetServerOptions()
            .setHost(host)
            .setPort(port)
            .setSsl(true)
            .setSslEngineOptions(NativeIo.tlsEngine())
            .setKeyCertOptions(KeyCertOptions.wrap(keyManagers))
            .setEnabledSecureTransportProtocols(Set.of(TLS_VERSION))
            .setSslHandshakeTimeout(hub.config().tlsHandshakeTimeout().toMillis())
            .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS)
            .setTcpNoDelay(true);
    server = vertx.createNetServer(options);
    server.connectHandler(socket -> new Connection(hub, socket, context).start());
    timer =
        vertx.setPeriodic(
            500,
            t -> {
              long now = hub.nanoTime();
              hub.forEachOn(context, c -> c.checkTimers(now));
            });
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    if (server == null) {
      return Future.succeededFuture();
    }
    // Stop accepting first; then each connection stops reading, lets its in-flight requests
    // answer, says SHUTTING_DOWN and closes; the server's own graceful shutdown waits for that.
    Future<?> closing =
        server.shutdown(hub.config().shutdownGrace().toMillis(), TimeUnit.MILLISECONDS);
    hub.forEachOn(context, Connection::shutdown);
    return closing;
  }

  /** The bound port, once started. */
  public int actualPort() {
    return server.actualPort();
  }
}
