package dev.sotto.client.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sotto.client.testing.FakeServer;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.Test;

class PinningTrustManagerTest {

  @Test
  void checkServerTrusted_emptyChain_refused() {
    PinningTrustManager tm = new PinningTrustManager(Fingerprint.of(new byte[32]));
    assertThatThrownBy(() -> tm.checkServerTrusted(new X509Certificate[0], "EC"))
        .isInstanceOf(CertificateException.class);
  }

  @Test
  void checkClientTrusted_alwaysRefused() {
    PinningTrustManager tm = new PinningTrustManager(Fingerprint.of(new byte[32]));
    assertThatThrownBy(() -> tm.checkClientTrusted(new X509Certificate[0], "EC"))
        .isInstanceOf(CertificateException.class);
    assertThat(tm.getAcceptedIssuers()).isEmpty();
  }

  @Test
  void handshake_pinnedKey_succeeds_otherKey_fails_probe_records() throws Exception {
    try (FakeServer server = new FakeServer()) {
      Fingerprint real = Fingerprint.of(server.spkiSha256());

      PinningTrustManager good = new PinningTrustManager(real);
      handshake(server.port(), good);
      assertThat(good.presented()).isEqualTo(real);
      assertThat(good.mismatched()).isFalse();

      PinningTrustManager bad = new PinningTrustManager(Fingerprint.of(new byte[32]));
      assertThatThrownBy(() -> handshake(server.port(), bad))
          .isInstanceOf(java.io.IOException.class);
      assertThat(bad.presented()).isEqualTo(real);
      assertThat(bad.mismatched()).isTrue();

      PinningTrustManager probe = new PinningTrustManager(null);
      assertThatThrownBy(() -> handshake(server.port(), probe))
          .isInstanceOf(java.io.IOException.class);
      assertThat(probe.presented()).isEqualTo(real);
    }
  }

  private static void handshake(int port, TrustManager tm) throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLSv1.3");
    ctx.init(null, new TrustManager[] {tm}, null);
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      s.startHandshake();
    }
  }
}
