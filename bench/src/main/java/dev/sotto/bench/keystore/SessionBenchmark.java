package dev.sotto.bench.keystore;

import dev.sotto.keystore.prekey.PreKeyBundle;
import dev.sotto.keystore.ratchet.RatchetMessage;
import dev.sotto.keystore.ratchet.SessionState;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The keystore's operations through its public API on in-memory stores (which keep sessions and
 * prekeys as serialized records, as the local store does, so loads and stores are paid): session
 * set-up, steady-state encrypt and encrypt+decrypt, and a DH ratchet step. Compare each with its
 * composite in {@link PrimitivesBenchmark}.
 *
 * <p>Run with the other keystore benchmarks: {@code scripts/bench-keystore.sh}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
public class SessionBenchmark {

  /** A fresh pair per trial; the one-time prekeys a set-up consumes are put back before each. */
  @State(Scope.Thread)
  public static class SetUp {
    final SecureRandom random = new SecureRandom();
    Fixtures.User alice;
    Fixtures.User bob;
    PreKeyBundle bundle;
    byte[] text;

    @Setup(Level.Trial)
    public void make() {
      alice = new Fixtures.User("alice", random);
      bob = new Fixtures.User("bob", random);
      bundle = bob.bundle();
      text = Fixtures.bytes(100, random);
    }

    @Setup(Level.Invocation)
    public void restore() {
      bob.restoreOneTimePreKeys();
    }
  }

  /** A confirmed session and a plaintext of {@code size} bytes. */
  @State(Scope.Thread)
  public static class Steady {
    @Param({"100", "1024"})
    public int size;

    final SecureRandom random = new SecureRandom();
    Fixtures.User alice;
    Fixtures.User bob;
    SessionState aliceState;
    SessionState bobState;
    byte[] text;

    @Setup(Level.Trial)
    public void make() throws Exception {
      Fixtures.User[] pair = Fixtures.conversing(random);
      alice = pair[0];
      bob = pair[1];
      // alice has answered: her next message starts a new chain, bob's decrypt ratchets once here
      bob.cipher.decrypt(alice.address, alice.cipher.encrypt(bob.address, new byte[] {3}));
      aliceState = alice.stores.sessions().loadSession(bob.address).orElseThrow().current();
      bobState = bob.stores.sessions().loadSession(alice.address).orElseThrow().current();
      text = Fixtures.bytes(size, random);
    }
  }

  /**
   * Bob's state before a message with a new ratchet key ({@code withStep}) and before the next
   * message of the same chain ({@code sameChain}); both messages are decrypted on a copy each time.
   */
  @State(Scope.Thread)
  public static class Ratchet {
    final SecureRandom random = new SecureRandom();
    SessionState beforeStep;
    RatchetMessage withStep;
    SessionState afterStep;
    RatchetMessage sameChain;

    @Setup(Level.Trial)
    public void make() throws Exception {
      Fixtures.User[] pair = Fixtures.conversing(random);
      Fixtures.User alice = pair[0];
      Fixtures.User bob = pair[1];
      beforeStep = bob.stores.sessions().loadSession(alice.address).orElseThrow().current();
      byte[] m1 = alice.cipher.encrypt(bob.address, new byte[100]);
      byte[] m2 = alice.cipher.encrypt(bob.address, new byte[100]);
      withStep = RatchetMessage.parse(m1);
      bob.cipher.decrypt(alice.address, m1);
      afterStep = bob.stores.sessions().loadSession(alice.address).orElseThrow().current();
      sameChain = RatchetMessage.parse(m2);
      beforeStep.copy().decrypt(withStep, random);
      afterStep.copy().decrypt(sameChain, random);
    }
  }

  /**
   * A whole session set-up with one-time prekeys: the initiator verifies the bundle and runs PQXDH
   * ({@code SessionBuilder.process}), encrypts a 100-byte first message, and the responder decrypts
   * it (PQXDH, then its first DH ratchet step).
   */
  @Benchmark
  public byte[] setUp(SetUp s, CpuClock clock) throws Exception {
    clock.ops++;
    s.alice.builder.process(s.bob.address, s.bundle);
    byte[] first = s.alice.cipher.encrypt(s.bob.address, s.text);
    return s.bob.cipher.decrypt(s.alice.address, first);
  }

  /** {@code SessionCipher.encrypt} in steady state (load, encrypt, store). */
  @Benchmark
  public byte[] encrypt(Steady s, CpuClock clock) throws Exception {
    clock.ops++;
    return s.alice.cipher.encrypt(s.bob.address, s.text);
  }

  /** {@code SessionCipher.encrypt} then {@code decrypt}, same chain, no commit. */
  @Benchmark
  public byte[] encryptDecrypt(Steady s, CpuClock clock) throws Exception {
    clock.ops++;
    return s.bob.cipher.decrypt(s.alice.address, s.alice.cipher.encrypt(s.bob.address, s.text));
  }

  /** The same on the ratchet state objects: no store, no parsing (what the stores add). */
  @Benchmark
  public byte[] encryptDecryptState(Steady s, CpuClock clock) throws Exception {
    clock.ops++;
    return s.bobState.decrypt(s.aliceState.encrypt(s.text), s.random);
  }

  /** Decrypting a message that carries a new ratchet key, on a copy of the state. */
  @Benchmark
  public byte[] decryptWithRatchetStep(Ratchet r, CpuClock clock) throws Exception {
    clock.ops++;
    return r.beforeStep.copy().decrypt(r.withStep, r.random);
  }

  /** Decrypting the next message of the same chain, on a copy of the state. */
  @Benchmark
  public byte[] decryptSameChain(Ratchet r, CpuClock clock) throws Exception {
    clock.ops++;
    return r.afterStep.copy().decrypt(r.sameChain, r.random);
  }
}
