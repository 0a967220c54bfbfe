package dev.sotto.server.tls;

import dev.sotto.server.data.SecureFiles;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's self-signed TLS certificate and private key.
 *
 * <p>Made on first start with Bouncy Castle ({@code bcpkix}): an ECDSA P-256 key and a certificate
 * for {@code CN=sotto-server} valid for 100 years, signed SHA256withECDSA. Kept as PEM in the data
 * directory: {@value #KEY_FILE} (PKCS#8, mode 0600) and {@value #CERT_FILE}, and reused on every
 * later start. Nobody validates the chain: clients pin the {@linkplain #fingerprint() SPKI
 * fingerprint} on first use.
 *
 * <p>Security: the private key file is written owner-only through a temporary file and a rename, so
 * it is never visible with wider permissions nor half-written. {@link #toString} does not print the
 * key.
 */
public final class ServerCertificate {

  private static final Logger logger = LoggerFactory.getLogger(ServerCertificate.class);

  /** File name of the private key (PKCS#8 PEM), inside the TLS directory. */
  public static final String KEY_FILE = "server-key.pem";

  /** File name of the certificate (PEM), inside the TLS directory. */
  public static final String CERT_FILE = "server-cert.pem";

  /** What {@link #labelledFingerprint()} puts before the hex digits. */
  public static final String FINGERPRINT_LABEL = "sha256-spki";

  private static final Duration VALIDITY = Duration.ofDays(36_525);

  private final PrivateKey privateKey;
  private final X509Certificate certificate;

  private ServerCertificate(PrivateKey privateKey, X509Certificate certificate) {
    this.privateKey = privateKey;
    this.certificate = certificate;
  }

  /**
   * Loads the certificate from {@code dir}, or makes and stores a new one when the directory has
   * none. If only one of the two files exists (a crash during the first start), both are made anew
   * and a warning is logged.
   *
   * @throws IOException when the files cannot be read or written, or do not parse
   */
  public static ServerCertificate loadOrCreate(Path dir, SecureRandom random) throws IOException {
    Path keyFile = dir.resolve(KEY_FILE);
    Path certFile = dir.resolve(CERT_FILE);
    boolean haveKey = Files.exists(keyFile);
    boolean haveCert = Files.exists(certFile);
    if (haveKey && haveCert) {
      ServerCertificate loaded = load(keyFile, certFile);
      logger.info("event=tls-certificate outcome=loaded file={}", certFile);
      return loaded;
    }
    if (haveKey || haveCert) {
      logger.warn(
          "event=tls-certificate outcome=incomplete detail=\"only one of {} and {} exists;"
              + " making a new certificate (clients that pinned the old one will warn)\"",
          KEY_FILE,
          CERT_FILE);
    }
    SecureFiles.createPrivateDirectory(dir);
    ServerCertificate created = generate(random);
    SecureFiles.writeAtomically(
        keyFile, pem(new JcaPKCS8Generator(created.privateKey, null)), "rw-------");
    SecureFiles.writeAtomically(certFile, pem(created.certificate), "rw-r--r--");
    logger.info("event=tls-certificate outcome=created file={}", certFile);
    return created;
  }

  /** Makes a fresh key and self-signed certificate, in memory only. */
  public static ServerCertificate generate(SecureRandom random) {
    try {
      KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
      kpg.initialize(new ECGenParameterSpec("secp256r1"), random);
      KeyPair pair = kpg.generateKeyPair();
      X500Name name = new X500Name("CN=sotto-server");
      Instant now = Instant.now();
      JcaX509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              name,
              new BigInteger(127, random).add(BigInteger.ONE),
              Date.from(now.minus(Duration.ofDays(1))),
              Date.from(now.plus(VALIDITY)),
              name,
              pair.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      X509CertificateHolder holder =
          builder.build(
              new JcaContentSignerBuilder("SHA256withECDSA")
                  .setSecureRandom(random)
                  .build(pair.getPrivate()));
      X509Certificate cert = new JcaX509CertificateConverter().getCertificate(holder);
      return new ServerCertificate(pair.getPrivate(), cert);
    } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
      throw new IllegalStateException("cannot make a self-signed certificate", e);
    }
  }

  private static ServerCertificate load(Path keyFile, Path certFile) throws IOException {
    PrivateKey key;
    try (Reader r = Files.newBufferedReader(keyFile, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(r)) {
      Object o = parser.readObject();
      if (o instanceof PrivateKeyInfo info) {
        key = new JcaPEMKeyConverter().getPrivateKey(info);
      } else if (o instanceof PEMKeyPair pair) {
        key = new JcaPEMKeyConverter().getPrivateKey(pair.getPrivateKeyInfo());
      } else {
        throw new IOException(keyFile + " does not hold a PKCS#8 private key");
      }
    }
    X509Certificate cert;
    try (Reader r = Files.newBufferedReader(certFile, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(r)) {
      Object o = parser.readObject();
      if (!(o instanceof X509CertificateHolder holder)) {
        throw new IOException(certFile + " does not hold an X.509 certificate");
      }
      cert = new JcaX509CertificateConverter().getCertificate(holder);
    } catch (GeneralSecurityException e) {
      throw new IOException(certFile + " does not parse: " + e.getMessage(), e);
    }
    return new ServerCertificate(key, cert);
  }

  private static byte[] pem(Object o) throws IOException {
    if (o instanceof JcaPKCS8Generator g) {
      o = g.generate();
    }
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(o);
    }
    return out.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** The certificate. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** SHA-256 of the certificate's DER-encoded SubjectPublicKeyInfo (32 bytes). */
  public byte[] fingerprint() {
    return spkiSha256(certificate);
  }

  /**
   * The fingerprint as printed at start and accepted by {@code --trust}: 64 lower-case hex digits,
   * no separators (PROTOCOL.md, "Transport").
   */
  public String fingerprintText() {
    return formatFingerprint(fingerprint());
  }

  /**
   * The fingerprint as the server prints it at start and clients show it: {@code sha256-spki}, a
   * space and the 64 hex digits of {@link #fingerprintText()} (the label names what is hashed).
   */
  public String labelledFingerprint() {
    return FINGERPRINT_LABEL + " " + fingerprintText();
  }

  /** SHA-256 of {@code cert}'s DER-encoded SubjectPublicKeyInfo. */
  public static byte[] spkiSha256(X509Certificate cert) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(cert.getPublicKey().getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  /** Formats a fingerprint as lower-case hex digits, no separators. */
  public static String formatFingerprint(byte[] fingerprint) {
    return HexFormat.of().formatHex(Objects.requireNonNull(fingerprint));
  }

  /** A key manager factory serving this key and certificate, for the TLS server. */
  public KeyManagerFactory keyManagerFactory() {
    try {
      // The keystore lives in memory only; PKCS12 wants some password.
      char[] password = "in-memory".toCharArray();
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("sotto-server", privateKey, password, new X509Certificate[] {certificate});
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, password);
      return kmf;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build a key manager for the certificate", e);
    }
  }

  @Override
  public String toString() {
    return "ServerCertificate[" + labelledFingerprint() + "]";
  }
}
