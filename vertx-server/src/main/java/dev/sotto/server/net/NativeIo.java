package dev.sotto.server.net;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;

/**
 * The optional native pieces: BoringSSL (netty-tcnative) for TLS and epoll for sockets, used when
 * they load on this machine, else the JDK's TLS and NIO with the same settings (TLS 1.3 only).
 *
 * <p>Why: under load the JDK's {@code SSLEngine} was most of the event loops' CPU (measured: 317 of
 * 498 event-loop samples in one W1 profile were TLS record encryption); BoringSSL does the same TLS
 * 1.3 for a fraction of that, which is what ejabberd (OpenSSL) and the limit relay get too. Turned
 * off with the system property {@code sotto.native=false}, e.g. to compare the two.
 */
public final class NativeIo {
  private NativeIo() {}

  /** Whether native pieces may be used at all ({@code -Dsotto.native=false} turns them off). */
  public static boolean enabled() {
    return !"false".equalsIgnoreCase(System.getProperty("sotto.native", "true"));
  }

  /** BoringSSL when it loads (and is allowed), else the JDK's engine. */
  public static SSLEngineOptions tlsEngine() {
    if (enabled() && OpenSsl.isAvailable() && SslProvider.isTlsv13Supported(SslProvider.OPENSSL)) {
      return new OpenSSLEngineOptions();
    }
    return new JdkSSLEngineOptions();
  }

  /** A one-line description for the start-up log: which TLS engine. */
  public static String describe() {
    return tlsEngine() instanceof OpenSSLEngineOptions
        ? "TLS by " + OpenSsl.versionString()
        : "TLS by the JDK"
            + (enabled() && OpenSsl.unavailabilityCause() != null
                ? " (BoringSSL did not load: " + OpenSsl.unavailabilityCause().getMessage() + ")"
                : "");
  }
}
