package dev.sotto.bench.keystore;

import dev.sotto.keystore.account.AccountKeys;
import dev.sotto.keystore.account.KdfParameters;
import dev.sotto.keystore.identity.IdentityKeyPair;
import dev.sotto.keystore.store.LocalStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Unlocking a local store from the password, at the product cost (Argon2id m = 64 MiB, t = 3, p =
 * 1): {@link #unlock} derives the account keys ({@code AccountKeys.derive}: Argon2id, then the two
 * HKDFs) and opens the store (data-key unwrap, identity read, journal open) and closes it; {@link
 * #argon2idAlone} is Bouncy Castle's Argon2id with the same parameters; {@link #openAlone} opens
 * and closes with the store key already known.
 *
 * <p>Run with the other keystore benchmarks: {@code scripts/bench-keystore.sh}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 1, time = 3)
@Measurement(iterations = 3, time = 3)
public class UnlockBenchmark {

  /** A store created under the password's store key, in a temp directory. */
  @State(Scope.Thread)
  public static class Account {
    final SecureRandom random = new SecureRandom();
    final char[] password = "correct horse battery".toCharArray();
    final byte[] serverId = new byte[16];
    final KdfParameters cost = KdfParameters.DEFAULT;
    Path dir;
    byte[] storeKey;
    byte[] salt;

    @Setup(Level.Trial)
    public void create() throws Exception {
      random.nextBytes(serverId);
      dir = Files.createTempDirectory("sotto-bench-unlock");
      AccountKeys keys = AccountKeys.derive(password, serverId, "alice", cost);
      storeKey = keys.storeKey();
      LocalStore.create(dir.resolve("store"), storeKey, IdentityKeyPair.generate(random)).close();
      salt = Fixtures.bytes(32, random);
      System.out.printf("%nArgon2id cost %s%n", cost);
    }

    @TearDown(Level.Trial)
    public void delete() throws Exception {
      Fixtures.deleteTree(dir);
    }
  }

  @Benchmark
  public Object unlock(Account a, CpuClock clock) throws Exception {
    clock.ops++;
    AccountKeys keys = AccountKeys.derive(a.password, a.serverId, "alice", a.cost);
    LocalStore s = LocalStore.open(a.dir.resolve("store"), keys.storeKey());
    Object id = s.identity();
    s.close();
    return id;
  }

  @Benchmark
  public Object openAlone(Account a, CpuClock clock) throws Exception {
    clock.ops++;
    LocalStore s = LocalStore.open(a.dir.resolve("store"), a.storeKey);
    Object id = s.identity();
    s.close();
    return id;
  }

  @Benchmark
  public byte[] argon2idAlone(Account a, CpuClock clock) {
    clock.ops++;
    Argon2BytesGenerator g = new Argon2BytesGenerator();
    g.init(
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(a.cost.memoryKib())
            .withIterations(a.cost.iterations())
            .withParallelism(a.cost.parallelism())
            .withSalt(a.salt)
            .build());
    byte[] out = new byte[32];
    g.generateBytes(new String(a.password).getBytes(StandardCharsets.UTF_8), out);
    return out;
  }
}
