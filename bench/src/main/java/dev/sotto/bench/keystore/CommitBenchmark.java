package dev.sotto.bench.keystore;

import dev.sotto.keystore.KeyRenewal;
import dev.sotto.keystore.KeyStores;
import dev.sotto.keystore.ProtocolAddress;
import dev.sotto.keystore.identity.IdentityKeyPair;
import dev.sotto.keystore.prekey.PreKeyBundle;
import dev.sotto.keystore.prekey.PreKeySet;
import dev.sotto.keystore.store.LocalStore;
import dev.sotto.keystore.store.OutboxEntry;
import dev.sotto.keystore.store.Transaction;
import dev.sotto.store.StoreOptions;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Steady-state send and receive with the local store's durable commit: {@code
 * LocalStore.encryptAndCommit} on the sender (session, history row, outbox row in one journal
 * batch) then {@code decryptAndCommit} on the receiver (session, history row, unread count), as the
 * client runs them. {@code fsync=true} are the product options (each commit waits for its journal
 * force); {@code fsync=false} shows the CPU part of the commit path alone.
 *
 * <p>Run with the other keystore benchmarks: {@code scripts/bench-keystore.sh}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
public class CommitBenchmark {

  /** Two local stores in a temp directory with a confirmed session. */
  @State(Scope.Thread)
  public static class Stores {
    @Param({"100", "1024"})
    public int size;

    @Param({"true", "false"})
    public boolean fsync;

    final SecureRandom random = new SecureRandom();
    final ProtocolAddress aliceAddress = new ProtocolAddress("alice", 1);
    final ProtocolAddress bobAddress = new ProtocolAddress("bob", 1);
    Path dir;
    LocalStore alice;
    LocalStore bob;
    byte[] text;
    long next;

    @Setup(Level.Trial)
    public void open() throws Exception {
      dir = Files.createTempDirectory("sotto-bench-commit");
      StoreOptions options = StoreOptions.builder().fsyncDisabledForTestsOnly(!fsync).build();
      alice = create("alice", options);
      bob = create("bob", options);
      PreKeySet bobKeys = PreKeySet.generate(bob.identity(), 1, 0, random);
      bob.installPreKeys(bobKeys);
      PreKeyBundle bundle =
          PreKeyBundle.of(
              1,
              bob.identity().publicKey(),
              bobKeys.signedPreKey(),
              bobKeys.oneTimePreKeys().get(0),
              bobKeys.oneTimeKemPreKeys().get(0));
      try (Transaction tx = alice.begin()) {
        tx.sessionBuilder().process(bobAddress, bundle);
        tx.commit();
      }
      text = Fixtures.bytes(size, random);
      roundTrip(alice, aliceAddress, bob, bobAddress);
      roundTrip(bob, bobAddress, alice, aliceAddress);
      roundTrip(alice, aliceAddress, bob, bobAddress);
      System.out.printf("%nlocal stores in %s, options %s%n", dir, options);
    }

    private LocalStore create(String name, StoreOptions options) throws Exception {
      LocalStore s =
          LocalStore.create(
              dir.resolve(name),
              Fixtures.bytes(32, random),
              IdentityKeyPair.generate(random),
              options,
              random);
      try (Transaction tx = s.begin()) {
        KeyStores ks = tx.keyStores();
        KeyRenewal.install(ks, PreKeySet.generate(ks.identity().identityKeyPair(), 1, 0, random));
        tx.commit();
      }
      return s;
    }

    byte[] nextId() {
      return ByteBuffer.allocate(16).putLong(0x5077_0000_0000_0000L).putLong(next++).array();
    }

    boolean roundTrip(
        LocalStore from, ProtocolAddress fromAddress, LocalStore to, ProtocolAddress toAddress)
        throws Exception {
      OutboxEntry e =
          from.encryptAndCommit(
              toAddress, toAddress.name(), nextId(), fromAddress.name(), text, next);
      return to.decryptAndCommit(
              fromAddress, fromAddress.name(), e.messageId(), e.ciphertext(), next)
          .isPresent();
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
      alice.close();
      bob.close();
      Fixtures.deleteTree(dir);
    }
  }

  /** {@code encryptAndCommit} on the sender, then {@code decryptAndCommit} on the receiver. */
  @Benchmark
  public boolean encryptDecryptCommitted(Stores s, CpuClock clock) throws Exception {
    clock.ops++;
    return s.roundTrip(s.alice, s.aliceAddress, s.bob, s.bobAddress);
  }
}
