package dev.sotto.client.core;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Accepts a server certificate only if the SHA-256 of its SubjectPublicKeyInfo equals the expected
 * fingerprint. Certificate authorities, names and validity dates play no part: the server's
 * certificate is self-signed and pinned like an SSH host key, and TLS 1.3's CertificateVerify
 * proves the server holds the matching private key.
 *
 * <p>With no expected fingerprint the manager is a probe: it records the presented fingerprint and
 * fails the handshake, so nothing is ever sent to a server that is not yet trusted.
 *
 * <p>Extends {@link X509ExtendedTrustManager} so the JDK does not wrap it with checks (host names,
 * CA constraints) that a pinned self-signed certificate does not meet.
 */
final class PinningTrustManager extends X509ExtendedTrustManager {

  private final Fingerprint expected;
  private volatile Fingerprint presented;

  /**
   * @param expected the fingerprint to accept, or {@code null} to probe
   */
  PinningTrustManager(Fingerprint expected) {
    this.expected = expected;
  }

  /** The fingerprint the server presented in the last handshake, or {@code null}. */
  Fingerprint presented() {
    return presented;
  }

  /** Whether the last handshake failed because the presented key is not the expected one. */
  boolean mismatched() {
    Fingerprint p = presented;
    return p != null && (expected == null || !expected.equals(p));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("the server presented no certificate");
    }
    Fingerprint fp = Fingerprint.of(chain[0]);
    presented = fp;
    if (expected == null) {
      throw new CertificateException("probing: server certificate is " + fp + ", not yet trusted");
    }
    if (!expected.equals(fp)) {
      throw new CertificateException(
          "server certificate is " + fp + ", expected " + expected + "; refusing");
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    checkServerTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    checkServerTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("a client does not accept client certificates");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    checkClientTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    checkClientTrusted(chain, authType);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
