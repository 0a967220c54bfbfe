package dev.sotto.bench.keystore;

import dev.sotto.keystore.crypto.AesGcm;
import dev.sotto.keystore.crypto.Ed25519;
import dev.sotto.keystore.crypto.Hkdf;
import dev.sotto.keystore.crypto.Hmac;
import dev.sotto.keystore.crypto.MlKem768;
import dev.sotto.keystore.crypto.X25519;
import dev.sotto.keystore.crypto.X25519KeyPair;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.kems.MLKEMExtractor;
import org.bouncycastle.crypto.kems.MLKEMGenerator;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.MLKEMParameters;
import org.bouncycastle.crypto.params.MLKEMPrivateKeyParameters;
import org.bouncycastle.crypto.params.MLKEMPublicKeyParameters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The primitives the keystore's operations are made of, each alone, with the input shapes the
 * product uses, and three composites that call exactly the primitives of one product operation in
 * sequence ({@link #setUpPrimitives}, {@link #ratchetStepPrimitives}, {@link
 * #roundTripPrimitives}); {@link SessionBenchmark} measures the operations themselves.
 *
 * <p>ML-KEM decapsulation is measured with the private key already expanded (the primitive); the
 * product keeps the 64-byte seed and expands it when it loads the key ({@link #mlKemExpandSeed}).
 *
 * <p>Run with the other keystore benchmarks: {@code scripts/bench-keystore.sh}; alone: {@code java
 * -cp bench/target/classes:$(cat /tmp/bench.cp) org.openjdk.jmh.Main PrimitivesBenchmark}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
public class PrimitivesBenchmark {

  /** Keys and inputs, made once per trial. */
  @State(Scope.Benchmark)
  public static class Keys {
    final SecureRandom random = new SecureRandom();
    byte[] xPrivate;
    byte[] xPublic;
    byte[] edPublic;
    byte[] shortMessage;
    byte[] shortSignature;
    byte[] kemKeyMessage;
    byte[] kemKeySignature;
    byte[] ek;
    MLKEMPublicKeyParameters ekParams;
    MLKEMPrivateKeyParameters dk;
    byte[] kemSeed;
    byte[] ct;
    byte[] pqxdhIkm;
    byte[] key32;
    byte[] dh32;
    byte[] replayInput;
    final byte[] zeroSalt = new byte[32];
    final byte[] pqxdhInfo = ascii("Sotto_X25519_SHA-256_ML-KEM-768_v1");
    final byte[] ratchetInfo = ascii("Sotto_Ratchet_v1");
    final byte[] messageInfo = ascii("Sotto_Message_v1");
    final byte[] one = {0x01};
    final byte[] two = {0x02};

    @Setup
    public void make() throws Exception {
      xPrivate = Fixtures.bytes(32, random);
      xPublic = X25519KeyPair.generate(random).publicKey();
      byte[] edSeed = Fixtures.bytes(32, random);
      edPublic =
          new org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters(edSeed, 0)
              .generatePublicKey()
              .getEncoded();
      // signed-prekey signature: context || u32(id) || 32-byte key; KEM prekey: the 1184-byte key
      shortMessage = Fixtures.bytes(21 + 4 + 32, random);
      shortSignature = Ed25519.sign(edSeed, shortMessage);
      kemSeed = MlKem768.generateSeed(random);
      dk = new MLKEMPrivateKeyParameters(MLKEMParameters.ml_kem_768, kemSeed);
      ek = dk.getPublicKey();
      ekParams = new MLKEMPublicKeyParameters(MLKEMParameters.ml_kem_768, ek);
      kemKeyMessage = Fixtures.bytes(21 + 4 + ek.length, random);
      kemKeySignature = Ed25519.sign(edSeed, kemKeyMessage);
      ct = MlKem768.encapsulate(ek, random).ciphertext();
      pqxdhIkm = Fixtures.bytes(32 + 4 * 32 + 32, random);
      key32 = Fixtures.bytes(32, random);
      dh32 = Fixtures.bytes(32, random);
      replayInput = Fixtures.bytes(32 + 1088, random);
      if (!Ed25519.verify(edPublic, shortMessage, shortSignature)) {
        throw new IllegalStateException("benchmark set-up: signature does not verify");
      }
    }
  }

  /** AEAD inputs of a padded message: 160 bytes (a 100-byte text), 1120 (1 KiB). */
  @State(Scope.Benchmark)
  public static class Aead {
    @Param({"160", "1120"})
    public int paddedSize;

    byte[] key;
    byte[] nonce;
    byte[] ad;
    byte[] plaintext;
    byte[] ciphertext;

    @Setup
    public void make() {
      SecureRandom random = new SecureRandom();
      key = Fixtures.bytes(32, random);
      nonce = Fixtures.bytes(12, random);
      ad = Fixtures.bytes(Fixtures.AEAD_AD_LENGTH, random);
      plaintext = Fixtures.bytes(paddedSize, random);
      ciphertext = AesGcm.encrypt(key, nonce, plaintext, ad);
    }
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  // ------------------------------------------------------------------ primitives

  /** A fresh key pair with its public key (the key pair computes it on first use). */
  @Benchmark
  public byte[] x25519Keygen(Keys k, CpuClock clock) {
    clock.ops++;
    return X25519KeyPair.generate(k.random).publicKey();
  }

  @Benchmark
  public byte[] x25519Agree(Keys k, CpuClock clock) throws Exception {
    clock.ops++;
    return X25519.agree(k.xPrivate, k.xPublic);
  }

  /** Over a signed-prekey or identity-binding message (under 64 bytes). */
  @Benchmark
  public boolean ed25519VerifyShort(Keys k, CpuClock clock) {
    clock.ops++;
    return Ed25519.verify(k.edPublic, k.shortMessage, k.shortSignature);
  }

  /** Over a KEM-prekey message (context, id and the 1184-byte ML-KEM key). */
  @Benchmark
  public boolean ed25519VerifyKemKey(Keys k, CpuClock clock) {
    clock.ops++;
    return Ed25519.verify(k.edPublic, k.kemKeyMessage, k.kemKeySignature);
  }

  /** FIPS 203's encapsulation-key (modulus) check. */
  @Benchmark
  public byte[] mlKemCheckKey(Keys k, CpuClock clock) throws Exception {
    clock.ops++;
    MlKem768.checkEncapsulationKey(k.ek);
    return k.ek;
  }

  /** Encapsulation to a key given as bytes (decoding included). */
  @Benchmark
  public SecretWithEncapsulation mlKemEncaps(Keys k, CpuClock clock) {
    clock.ops++;
    return new MLKEMGenerator(k.random)
        .generateEncapsulated(new MLKEMPublicKeyParameters(MLKEMParameters.ml_kem_768, k.ek));
  }

  /** Decapsulation with the private key already expanded. */
  @Benchmark
  public byte[] mlKemDecaps(Keys k, CpuClock clock) {
    clock.ops++;
    return new MLKEMExtractor(k.dk).extractSecret(k.ct);
  }

  /** Diagnostic, not a primitive of any operation: expanding a private key from its seed. */
  @Benchmark
  public MLKEMPrivateKeyParameters mlKemExpandSeed(Keys k, CpuClock clock) {
    clock.ops++;
    return new MLKEMPrivateKeyParameters(MLKEMParameters.ml_kem_768, k.kemSeed);
  }

  /** PQXDH's KDF: 192-byte IKM (with DH4), 32 bytes out. */
  @Benchmark
  public byte[] hkdfPqxdh(Keys k, CpuClock clock) {
    clock.ops++;
    return Hkdf.sha256(k.zeroSalt, k.pqxdhIkm, k.pqxdhInfo, 32);
  }

  /** KDF_RK: root key as salt, DH output as IKM, 64 bytes out. */
  @Benchmark
  public byte[] hkdfRatchet(Keys k, CpuClock clock) {
    clock.ops++;
    return Hkdf.sha256(k.key32, k.dh32, k.ratchetInfo, 64);
  }

  /** The per-message AEAD key and nonce: 44 bytes out. */
  @Benchmark
  public byte[] hkdfMessage(Keys k, CpuClock clock) {
    clock.ops++;
    return Hkdf.sha256(k.zeroSalt, k.key32, k.messageInfo, 44);
  }

  /** One half of KDF_CK. */
  @Benchmark
  public byte[] hmacSha256(Keys k, CpuClock clock) {
    clock.ops++;
    return Hmac.sha256(k.key32, k.one);
  }

  /**
   * Diagnostic, not used by the product: Bouncy Castle's HMAC-SHA256 (plain-Java digest), which
   * {@code Hmac} used before it moved to the JDK's.
   */
  @Benchmark
  public byte[] hmacSha256BouncyCastle(Keys k, CpuClock clock) {
    clock.ops++;
    HMac mac = new HMac(new SHA256Digest());
    mac.init(new KeyParameter(k.key32));
    mac.update(k.one, 0, 1);
    byte[] out = new byte[32];
    mac.doFinal(out, 0);
    return out;
  }

  /** The replay id: SHA-256 over EK (32) and CT (1088). */
  @Benchmark
  public byte[] sha256ReplayId(Keys k, CpuClock clock) throws Exception {
    clock.ops++;
    return MessageDigest.getInstance("SHA-256").digest(k.replayInput);
  }

  @Benchmark
  public byte[] aesGcmEncrypt(Aead a, CpuClock clock) {
    clock.ops++;
    return AesGcm.encrypt(a.key, a.nonce, a.plaintext, a.ad);
  }

  @Benchmark
  public byte[] aesGcmDecrypt(Aead a, CpuClock clock) throws Exception {
    clock.ops++;
    return AesGcm.decrypt(a.key, a.nonce, a.ciphertext, a.ad);
  }

  // ------------------------------------------------------------------ composites

  /**
   * Exactly the primitives of a session set-up with one-time prekeys ({@code
   * SessionBenchmark.setUp}: the initiator processes the bundle and encrypts a 100-byte first
   * message, the responder decrypts it): 3 Ed25519 verifies (signed prekey, KEM prekey, the
   * initiator's identity binding), 1 ML-KEM key check, 1 encapsulation, 1 decapsulation, 3 X25519
   * keygens, 11 agreements, 2 PQXDH HKDFs, 3 KDF_RK HKDFs, 2 message HKDFs, 4 HMACs, 2 SHA-256
   * replay ids, one AES-GCM encryption and decryption of 160 bytes.
   */
  @Benchmark
  public void setUpPrimitives(Keys k, Blackhole bh, CpuClock clock) throws Exception {
    clock.ops++;
    // initiator: verify the bundle
    bh.consume(Ed25519.verify(k.edPublic, k.shortMessage, k.shortSignature));
    bh.consume(Ed25519.verify(k.edPublic, k.kemKeyMessage, k.kemKeySignature));
    MlKem768.checkEncapsulationKey(k.ek);
    // PQXDH: EK_A, DH1..DH4, encapsulation, SK, replay id
    bh.consume(X25519KeyPair.generate(k.random).publicKey());
    for (int i = 0; i < 4; i++) {
      bh.consume(X25519.agree(k.xPrivate, k.xPublic));
    }
    bh.consume(
        new MLKEMGenerator(k.random)
            .generateEncapsulated(new MLKEMPublicKeyParameters(MLKEMParameters.ml_kem_768, k.ek)));
    bh.consume(Hkdf.sha256(k.zeroSalt, k.pqxdhIkm, k.pqxdhInfo, 32));
    bh.consume(MessageDigest.getInstance("SHA-256").digest(k.replayInput));
    // RatchetInitAlice: ratchet key, DH, KDF_RK; first message: KDF_CK, message keys, AES-GCM
    bh.consume(X25519KeyPair.generate(k.random).publicKey());
    bh.consume(X25519.agree(k.xPrivate, k.xPublic));
    bh.consume(Hkdf.sha256(k.key32, k.dh32, k.ratchetInfo, 64));
    bh.consume(Hmac.sha256(k.key32, k.one));
    bh.consume(Hmac.sha256(k.key32, k.two));
    byte[] mk = Hkdf.sha256(k.zeroSalt, k.key32, k.messageInfo, 44);
    byte[] key = java.util.Arrays.copyOf(mk, 32);
    byte[] nonce = java.util.Arrays.copyOfRange(mk, 32, 44);
    byte[] ad = new byte[Fixtures.AEAD_AD_LENGTH];
    byte[] ct = AesGcm.encrypt(key, nonce, new byte[160], ad);
    // responder: the initiator's identity binding, DH1..DH4, decapsulation, SK, replay id
    bh.consume(Ed25519.verify(k.edPublic, k.shortMessage, k.shortSignature));
    for (int i = 0; i < 4; i++) {
      bh.consume(X25519.agree(k.xPrivate, k.xPublic));
    }
    bh.consume(new MLKEMExtractor(k.dk).extractSecret(k.ct));
    bh.consume(Hkdf.sha256(k.zeroSalt, k.pqxdhIkm, k.pqxdhInfo, 32));
    bh.consume(MessageDigest.getInstance("SHA-256").digest(k.replayInput));
    // first DH ratchet step: DH, KDF_RK, new key, DH, KDF_RK; then KDF_CK, message keys, AES-GCM
    bh.consume(X25519.agree(k.xPrivate, k.xPublic));
    bh.consume(Hkdf.sha256(k.key32, k.dh32, k.ratchetInfo, 64));
    bh.consume(X25519KeyPair.generate(k.random).publicKey());
    bh.consume(X25519.agree(k.xPrivate, k.xPublic));
    bh.consume(Hkdf.sha256(k.key32, k.dh32, k.ratchetInfo, 64));
    bh.consume(Hmac.sha256(k.key32, k.one));
    bh.consume(Hmac.sha256(k.key32, k.two));
    bh.consume(Hkdf.sha256(k.zeroSalt, k.key32, k.messageInfo, 44));
    bh.consume(AesGcm.decrypt(key, nonce, ct, ad));
  }

  /** A DH ratchet step's primitives: one X25519 keygen, two agreements, two KDF_RK HKDFs. */
  @Benchmark
  public void ratchetStepPrimitives(Keys k, Blackhole bh, CpuClock clock) throws Exception {
    clock.ops++;
    bh.consume(X25519.agree(k.xPrivate, k.xPublic));
    bh.consume(Hkdf.sha256(k.key32, k.dh32, k.ratchetInfo, 64));
    bh.consume(X25519KeyPair.generate(k.random).publicKey());
    bh.consume(X25519.agree(k.xPrivate, k.xPublic));
    bh.consume(Hkdf.sha256(k.key32, k.dh32, k.ratchetInfo, 64));
  }

  /**
   * One steady-state message's primitives on both sides: 4 HMACs (KDF_CK twice), 2 message HKDFs,
   * one AES-GCM encryption and decryption of the padded plaintext.
   */
  @Benchmark
  public void roundTripPrimitives(Keys k, Aead a, Blackhole bh, CpuClock clock) throws Exception {
    clock.ops++;
    bh.consume(Hmac.sha256(k.key32, k.one));
    bh.consume(Hmac.sha256(k.key32, k.two));
    bh.consume(Hkdf.sha256(k.zeroSalt, k.key32, k.messageInfo, 44));
    byte[] ct = AesGcm.encrypt(a.key, a.nonce, a.plaintext, a.ad);
    bh.consume(Hmac.sha256(k.key32, k.one));
    bh.consume(Hmac.sha256(k.key32, k.two));
    bh.consume(Hkdf.sha256(k.zeroSalt, k.key32, k.messageInfo, 44));
    bh.consume(AesGcm.decrypt(a.key, a.nonce, ct, a.ad));
  }
}
