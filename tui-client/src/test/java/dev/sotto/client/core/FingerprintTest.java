package dev.sotto.client.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sotto.client.testing.FakeServer;
import dev.sotto.server.tls.ServerCertificate;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;

class FingerprintTest {

  private static final String HEX =
      "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

  @Test
  void parse_acceptsCommonSpellings() {
    Fingerprint f = Fingerprint.parse(HEX);
    assertThat(Fingerprint.parse(HEX.toUpperCase())).isEqualTo(f);
    assertThat(Fingerprint.parse("SHA256:" + HEX)).isEqualTo(f);
    assertThat(Fingerprint.parse("sha256-spki " + HEX)).isEqualTo(f);
    assertThat(Fingerprint.parse("sha256-spki:" + HEX)).isEqualTo(f);
    assertThat(Fingerprint.parse(f.toString())).isEqualTo(f);
    assertThat(Fingerprint.parse(HEX.replaceAll("(..)(?!$)", "$1:"))).isEqualTo(f);
    assertThat(f.hex()).isEqualTo(HEX);
    assertThat(f.toString()).isEqualTo("sha256-spki " + HEX);
  }

  @Test
  void toString_ofTheServersCertificate_isWhatTheServerPrints() {
    ServerCertificate server = ServerCertificate.generate(new SecureRandom());
    Fingerprint f = Fingerprint.of(server.certificate());
    assertThat(f.toString()).isEqualTo(server.labelledFingerprint());
    assertThat(Fingerprint.parse(server.labelledFingerprint())).isEqualTo(f);
    assertThat(f.bytes()).isEqualTo(server.fingerprint());
  }

  @Test
  void parse_wrongLengthOrDigits_refused() {
    assertThatThrownBy(() -> Fingerprint.parse(HEX.substring(2)))
        .hasMessageContaining("64 hex digits");
    assertThatThrownBy(() -> Fingerprint.parse(HEX.substring(1) + "g"))
        .hasMessageContaining("64 hex digits");
    assertThatThrownBy(() -> Fingerprint.of(new byte[31])).hasMessageContaining("got 31");
  }

  @Test
  void equals_comparesBytes() {
    assertThat(Fingerprint.parse(HEX)).isNotEqualTo(Fingerprint.parse(HEX.replace('0', '1')));
    assertThat(Fingerprint.parse(HEX).hashCode()).isEqualTo(Fingerprint.parse(HEX).hashCode());
  }

  @Test
  void of_certificate_isSha256OfSubjectPublicKeyInfoNotOfWholeCertificate() throws Exception {
    try (FakeServer server = new FakeServer()) {
      X509Certificate cert = server.certificate();
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      byte[] spki = sha256.digest(cert.getPublicKey().getEncoded());
      byte[] whole = sha256.digest(cert.getEncoded());
      assertThat(Fingerprint.of(cert).bytes()).isEqualTo(spki).isNotEqualTo(whole);
    }
  }
}
