package dev.sotto.server.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sotto.server.request.RequestException;
import dev.sotto.store.Store;
import dev.sotto.wire.WireException;
import dev.sotto.wire.proto.ErrorCode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The behaviour every store backend must give {@link PreKeyDirectory}. */
abstract class PreKeyDirectoryContract {
  static final PreKeyDirectory.Limits UNLIMITED =
      new PreKeyDirectory.Limits(200, 20, 1_000_000, 1000, 1_000_000, 1000, 1000);
  @TempDir Path dir;
  Store store;
  PreKeyDirectory directory;
  final Random random = new Random(7);

  abstract Store newStore(Path dir) throws Exception;

  @BeforeEach
  void setUp() throws Exception {
    store = newStore(dir);
    directory = new PreKeyDirectory(store, UNLIMITED);
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  SignedPreKey signed(int id, int keyBytes) {
    return new SignedPreKey(id, bytes(keyBytes), bytes(64));
  }

  PreKeyUpload fullUpload(int oneTime, int kem, int firstId, boolean replace) {
    List<OneTimePreKey> ot = new ArrayList<>();
    List<SignedPreKey> k = new ArrayList<>();
    for (int i = 0; i < oneTime; i++) {
      ot.add(new OneTimePreKey(firstId + i, bytes(32)));
    }
    for (int i = 0; i < kem; i++) {
      k.add(signed(firstId + i, 1184));
    }
    return new PreKeyUpload(
        1, bytes(32), signed(0, 32), signed(1, 32), signed(2, 1184), ot, k, replace);
  }

  PreKeyUpload topUp(int oneTime, int kem, int firstId) {
    PreKeyUpload f = fullUpload(oneTime, kem, firstId, false);
    return new PreKeyUpload(
        1, null, null, null, null, f.oneTimePreKeys(), f.oneTimeKemPreKeys(), false);
  }

  static void assertFailsWith(ErrorCode code, ThrowableAssert.ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(WireException.class)
        .satisfies(e -> assertThat(((WireException) e).code()).isEqualTo(code));
  }

  @Test
  void fetch_16ConcurrentFetchers_eachOneTimeKeyHandedOutExactlyOnce() throws Exception {
    get(directory.upload("bob", fullUpload(200, 200, 1000, false)));
    int fetchers = 16;
    int perFetcher = 15;
    ExecutorService pool = Executors.newFixedThreadPool(fetchers);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<PreKeyFetch>>> results = new ArrayList<>();
    for (int t = 0; t < fetchers; t++) {
      String requester = "user" + t;
      results.add(
          pool.submit(
              () -> {
                start.await();
                List<CompletableFuture<PreKeyFetch>> fs = new ArrayList<>();
                for (int i = 0; i < perFetcher; i++) {
                  fs.add(directory.fetch(requester, "bob", 1));
                }
                List<PreKeyFetch> out = new ArrayList<>();
                for (CompletableFuture<PreKeyFetch> f : fs) {
                  out.add(get(f));
                }
                return out;
              }));
    }
    start.countDown();
    List<Integer> oneTimeIds = Collections.synchronizedList(new ArrayList<>());
    List<Integer> kemIds = new ArrayList<>();
    int lastResort = 0;
    int withoutOneTime = 0;
    for (Future<List<PreKeyFetch>> r : results) {
      for (PreKeyFetch f : r.get(30, TimeUnit.SECONDS)) {
        f.bundle().oneTimePreKey().ifPresent(k -> oneTimeIds.add(k.id()));
        if (f.bundle().oneTimePreKey().isEmpty()) {
          withoutOneTime++;
        }
        if (f.bundle().kemPreKeyIsLastResort()) {
          lastResort++;
          assertThat(f.bundle().kemPreKey().id()).isEqualTo(2);
        } else {
          kemIds.add(f.bundle().kemPreKey().id());
        }
      }
    }
    pool.shutdown();
    assertThat(oneTimeIds).hasSize(200).doesNotHaveDuplicates();
    assertThat(new HashSet<>(oneTimeIds)).hasSize(200).allMatch(id -> id >= 1000 && id < 1200);
    assertThat(kemIds).hasSize(200).doesNotHaveDuplicates();
    assertThat(lastResort).isEqualTo(fetchers * perFetcher - 200);
    assertThat(withoutOneTime).isEqualTo(fetchers * perFetcher - 200);
    assertThat(get(directory.count("bob", 1))).isEqualTo(new PreKeyCounts(0, 0));
  }

  @Test
  void fetch_keysRunOut_lastResortKemAndNoOneTimeKey() throws Exception {
    PreKeyUpload up = fullUpload(1, 1, 50, false);
    get(directory.upload("bob", up));
    PreKeyFetch first = get(directory.fetch("alice", "bob", 1));
    assertThat(first.bundle().oneTimePreKey()).contains(up.oneTimePreKeys().get(0));
    assertThat(first.bundle().kemPreKey()).isEqualTo(up.oneTimeKemPreKeys().get(0));
    assertThat(first.bundle().kemPreKeyIsLastResort()).isFalse();
    assertThat(first.bundle().identitySigningKey()).isEqualTo(up.identitySigningKey());
    assertThat(first.bundle().signedPreKey()).isEqualTo(up.signedPreKey());

    PreKeyFetch second = get(directory.fetch("alice", "bob", 1));
    assertThat(second.bundle().oneTimePreKey()).isEmpty();
    assertThat(second.bundle().kemPreKey()).isEqualTo(up.lastResortKemPreKey());
    assertThat(second.bundle().kemPreKeyIsLastResort()).isTrue();
    assertThat(second.ownerLow()).isTrue();
    assertThat(second.remaining()).isEqualTo(new PreKeyCounts(0, 0));
  }

  @Test
  void fetch_ownerFallsBelowTwenty_lowSignalled() throws Exception {
    get(directory.upload("bob", fullUpload(21, 30, 1, false)));
    PreKeyFetch a = get(directory.fetch("alice", "bob", 1));
    assertThat(a.remaining()).isEqualTo(new PreKeyCounts(20, 29));
    assertThat(a.ownerLow()).isFalse();
    PreKeyFetch b = get(directory.fetch("alice", "bob", 1));
    assertThat(b.remaining()).isEqualTo(new PreKeyCounts(19, 28));
    assertThat(b.ownerLow()).isTrue();
  }

  @Test
  void upload_topUpAndRotation_keepsIdentityAddsKeys() throws Exception {
    PreKeyUpload first = fullUpload(5, 5, 1, false);
    get(directory.upload("bob", first));
    PreKeyUpload more = topUp(10, 3, 100);
    SignedPreKey rotated = signed(9, 32);
    more =
        new PreKeyUpload(
            1,
            first.identitySigningKey(),
            null,
            rotated,
            null,
            more.oneTimePreKeys(),
            more.oneTimeKemPreKeys(),
            false);
    assertThat(get(directory.upload("bob", more))).isEqualTo(new PreKeyCounts(15, 8));
    PreKeyFetch f = get(directory.fetch("alice", "bob", 1));
    assertThat(f.bundle().signedPreKey()).isEqualTo(rotated);
    assertThat(f.bundle().identityAgreementKey()).isEqualTo(first.identityAgreementKey());
    assertThat(f.bundle().oneTimePreKey().orElseThrow().id()).isEqualTo(1);
  }

  @Test
  void upload_replace_dropsEveryOldKey() throws Exception {
    get(directory.upload("bob", fullUpload(50, 50, 1, false)));
    PreKeyUpload fresh = fullUpload(2, 2, 500, true);
    assertThat(get(directory.upload("bob", fresh))).isEqualTo(new PreKeyCounts(2, 2));
    PreKeyFetch f = get(directory.fetch("alice", "bob", 1));
    assertThat(f.bundle().identitySigningKey()).isEqualTo(fresh.identitySigningKey());
    assertThat(f.bundle().oneTimePreKey().orElseThrow().id()).isEqualTo(500);
    assertThat(f.bundle().kemPreKey().id()).isEqualTo(500);
    get(directory.fetch("alice", "bob", 1));
    assertThat(get(directory.fetch("alice", "bob", 1)).bundle().oneTimePreKey()).isEmpty();
  }

  @Test
  void upload_badSizes_rejectedAndNothingStored() throws Exception {
    PreKeyUpload ok = fullUpload(1, 1, 1, false);
    List<PreKeyUpload> bad =
        List.of(
            new PreKeyUpload(
                1,
                bytes(31),
                ok.identityAgreementKey(),
                ok.signedPreKey(),
                ok.lastResortKemPreKey(),
                List.of(),
                List.of(),
                false),
            new PreKeyUpload(
                1,
                bytes(32),
                new SignedPreKey(0, bytes(32), bytes(63)),
                ok.signedPreKey(),
                ok.lastResortKemPreKey(),
                List.of(),
                List.of(),
                false),
            new PreKeyUpload(
                1,
                bytes(32),
                ok.identityAgreementKey(),
                signed(1, 33),
                ok.lastResortKemPreKey(),
                List.of(),
                List.of(),
                false),
            new PreKeyUpload(
                1,
                bytes(32),
                ok.identityAgreementKey(),
                ok.signedPreKey(),
                signed(2, 1183),
                List.of(),
                List.of(),
                false),
            new PreKeyUpload(
                1,
                bytes(32),
                ok.identityAgreementKey(),
                ok.signedPreKey(),
                ok.lastResortKemPreKey(),
                List.of(new OneTimePreKey(1, bytes(31))),
                List.of(),
                false),
            new PreKeyUpload(
                1,
                bytes(32),
                ok.identityAgreementKey(),
                ok.signedPreKey(),
                ok.lastResortKemPreKey(),
                List.of(),
                List.of(signed(1, 1185)),
                false),
            new PreKeyUpload(
                1,
                bytes(32),
                ok.identityAgreementKey(),
                ok.signedPreKey(),
                ok.lastResortKemPreKey(),
                List.of(new OneTimePreKey(1, bytes(32)), new OneTimePreKey(1, bytes(32))),
                List.of(),
                false));
    for (PreKeyUpload u : bad) {
      assertFailsWith(ErrorCode.INVALID_PRE_KEYS, () -> get(directory.upload("bob", u)));
    }
    assertThat(get(directory.hasBundle("bob", 1))).isFalse();
  }

  @Test
  void upload_overCapOrReusedIdOrNoBundleOrOtherIdentity_rejected() throws Exception {
    assertFailsWith(ErrorCode.INVALID_PRE_KEYS, () -> get(directory.upload("bob", topUp(5, 5, 1))));
    get(directory.upload("bob", fullUpload(150, 10, 1, false)));
    assertFailsWith(
        ErrorCode.INVALID_PRE_KEYS, () -> get(directory.upload("bob", topUp(51, 0, 1000))));
    assertFailsWith(
        ErrorCode.INVALID_PRE_KEYS, () -> get(directory.upload("bob", topUp(1, 0, 150))));
    assertFailsWith(
        ErrorCode.INVALID_PRE_KEYS,
        () -> get(directory.upload("bob", fullUpload(1, 1, 5000, false))));
    assertThat(get(directory.count("bob", 1))).isEqualTo(new PreKeyCounts(150, 10));
    assertThat(get(directory.upload("bob", topUp(50, 0, 1000))))
        .isEqualTo(new PreKeyCounts(200, 10));
  }

  @Test
  void fetch_noBundle_noPreKeys() {
    assertFailsWith(ErrorCode.NO_PRE_KEYS, () -> get(directory.fetch("alice", "nobody", 1)));
  }

  @Test
  void fetch_overRequesterOrTargetRate_rateLimitedUntilRefilled() throws Exception {
    AtomicLong nanos = new AtomicLong(1_000_000_000L);
    PreKeyDirectory limited =
        new PreKeyDirectory(
            store, new PreKeyDirectory.Limits(200, 20, 3, 1.0, 5, 0.5, 100), nanos::get);
    get(limited.upload("bob", fullUpload(50, 50, 1, false)));
    get(limited.upload("carol", fullUpload(50, 50, 1, false)));
    for (int i = 0; i < 3; i++) {
      get(limited.fetch("mallory", "bob", 1));
    }
    assertThatThrownBy(() -> get(limited.fetch("mallory", "carol", 1)))
        .cause()
        .isInstanceOf(RequestException.class)
        .satisfies(e -> assertThat(retryAfterMs(e)).isBetween(1L, 1000L));
    // Per target: bob takes 5 at once from anyone (3 used by mallory).
    get(limited.fetch("alice", "bob", 1));
    get(limited.fetch("dave", "bob", 1));
    assertThatThrownBy(() -> get(limited.fetch("erin", "bob", 1)))
        .cause()
        .isInstanceOf(RequestException.class)
        .satisfies(e -> assertThat(retryAfterMs(e)).isBetween(1L, 2000L));
    nanos.addAndGet(2_000_000_000L);
    assertThat(get(limited.fetch("erin", "bob", 1)).bundle().user()).isEqualTo("bob");
    assertThat(get(limited.fetch("mallory", "carol", 1)).bundle().user()).isEqualTo("carol");
    assertThat(get(limited.count("bob", 1)).oneTime()).isEqualTo(44);
  }

  @Test
  void deleteAll_removesEveryDevice() throws Exception {
    get(directory.upload("bob", fullUpload(3, 3, 1, false)));
    get(directory.upload("bobby", fullUpload(3, 3, 1, false)));
    get(directory.deleteAll("bob"));
    assertThat(get(directory.hasBundle("bob", 1))).isFalse();
    assertThat(get(directory.count("bob", 1))).isEqualTo(new PreKeyCounts(0, 0));
    assertThat(get(directory.count("bobby", 1))).isEqualTo(new PreKeyCounts(3, 3));
  }

  @Test
  void tokenBuckets_manyKeys_mapStaysBounded() {
    TokenBuckets b = new TokenBuckets(1, 1, 10, System::nanoTime);
    Set<Long> waits = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      waits.add(b.tryTake("k" + i));
    }
    assertThat(b.size()).isEqualTo(10);
    assertThat(waits).containsExactly(0L);
    assertThat(b.tryTake("k999")).isPositive();
  }

  @Test
  void tokenBuckets_refund_tokenUsableAgain_retryInMillisecondsFromRate() {
    AtomicLong nanos = new AtomicLong(5_000_000_000L);
    TokenBuckets b = new TokenBuckets(2, 0.5, 10, nanos::get);
    assertThat(b.tryTake("bob.1")).isZero();
    assertThat(b.tryTake("bob.1")).isZero();
    assertThat(b.tryTake("bob.1")).as("0.5 per second: 2 s").isEqualTo(2000);
    b.refund("bob.1");
    assertThat(b.tryTake("bob.1")).isZero();
    nanos.addAndGet(1_500_000_000L);
    assertThat(b.tryTake("bob.1")).isEqualTo(500);
    b.refund("nobody.1"); // no bucket: nothing happens
    assertThat(b.size()).isEqualTo(1);
  }

  private static long retryAfterMs(Throwable t) {
    RequestException e = (RequestException) t;
    assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
    return e.retryAfterMs().orElseThrow();
  }
}
