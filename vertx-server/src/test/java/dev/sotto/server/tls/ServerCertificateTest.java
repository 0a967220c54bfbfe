package dev.sotto.server.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerCertificateTest {

  private final SecureRandom random = new SecureRandom();

  @Test
  void firstStart_createsKeyOwnerOnlyAndPkcs8_reusedAfterwards(@TempDir Path dir) throws Exception {
    Path tls = dir.resolve("tls");
    ServerCertificate first = ServerCertificate.loadOrCreate(tls, random);
    Path key = tls.resolve(ServerCertificate.KEY_FILE);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(key, StandardCharsets.US_ASCII))
        .startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(Files.readString(tls.resolve(ServerCertificate.CERT_FILE)))
        .startsWith("-----BEGIN CERTIFICATE-----");
    ServerCertificate second = ServerCertificate.loadOrCreate(tls, random);
    assertThat(second.fingerprint()).isEqualTo(first.fingerprint());
    assertThat(second.certificate()).isEqualTo(first.certificate());
    assertThat(second.keyManagerFactory().getKeyManagers()).isNotEmpty();
    assertThat(dir.getFileSystem().getPath(tls.toString()).toFile().list())
        .containsExactlyInAnyOrder(ServerCertificate.KEY_FILE, ServerCertificate.CERT_FILE);
  }

  @Test
  void fingerprint_isSha256OfSpki_formattedAs64HexDigits() throws Exception {
    ServerCertificate c = ServerCertificate.generate(random);
    byte[] expected =
        MessageDigest.getInstance("SHA-256").digest(c.certificate().getPublicKey().getEncoded());
    assertThat(c.fingerprint()).isEqualTo(expected);
    assertThat(c.fingerprintText()).matches("[0-9a-f]{64}");
    assertThat(c.toString()).contains(c.fingerprintText()).doesNotContain("PRIVATE");
    c.certificate().verify(c.certificate().getPublicKey());
    assertThat(c.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=sotto-server");
  }

  @Test
  void onlyOneFileLeft_bothMadeAnew(@TempDir Path dir) throws Exception {
    ServerCertificate first = ServerCertificate.loadOrCreate(dir, random);
    Files.delete(dir.resolve(ServerCertificate.CERT_FILE));
    ServerCertificate second = ServerCertificate.loadOrCreate(dir, random);
    assertThat(second.fingerprint()).isNotEqualTo(first.fingerprint());
    assertThat(ServerCertificate.loadOrCreate(dir, random).fingerprint())
        .isEqualTo(second.fingerprint());
  }

  @Test
  void generate_noTempFilesLeftBehind() throws Exception {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    long before = countKeyutil(tmp);
    ServerCertificate.generate(random);
    assertThat(countKeyutil(tmp)).isEqualTo(before);
  }

  private static long countKeyutil(Path tmp) throws Exception {
    try (var s = Files.list(tmp)) {
      return s.filter(p -> p.getFileName().toString().startsWith("keyutil_")).count();
    }
  }
}
