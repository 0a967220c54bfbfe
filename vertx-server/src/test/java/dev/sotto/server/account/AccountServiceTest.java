package dev.sotto.server.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.sotto.server.request.RequestException;
import dev.sotto.server.testing.InMemoryStore;
import dev.sotto.server.throttle.RateLimiter;
import dev.sotto.server.throttle.Throttles;
import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.KdfParams;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AccountServiceTest {

  private static final KdfParams LOW =
      KdfParams.newBuilder().setMemoryKib(8192).setIterations(1).setParallelism(1).build();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final RateLimiter.Config WIDE =
      new RateLimiter.Config(10_000, Duration.ofMillis(1), 10_000);

  private final InMemoryStore store = new InMemoryStore();
  private final AtomicLong nanos = new AtomicLong();

  @AfterEach
  void close() {
    store.close();
  }

  private AccountService service(RegistrationPolicy policy, Throttles.Config throttles) {
    AccountService s =
        new AccountService(
            new AccountStore(store),
            policy,
            new Throttles(throttles, nanos::get),
            RANDOM,
            () -> 1_700_000_000_000L);
    s.loadCache();
    return s;
  }

  private AccountService open() {
    return service(RegistrationPolicy.OPEN, new Throttles.Config(WIDE, WIDE, WIDE));
  }

  private static ByteString key() {
    byte[] k = new byte[32];
    RANDOM.nextBytes(k);
    return ByteString.copyFrom(k);
  }

  private static ErrorCode refusal(CompletableFuture<?> f) {
    try {
      f.join();
    } catch (CompletionException e) {
      Throwable c = e.getCause();
      if (c instanceof RequestException ae) {
        return ae.code();
      }
      throw e;
    }
    throw new AssertionError("expected a refusal, got " + f.join());
  }

  @Test
  void register_thenLogin_caseFolded() {
    AccountService s = open();
    ByteString k = key();
    Account a = s.register("10.0.0.1", "  Alice ", LOW, k, "").join();
    assertThat(a.username()).isEqualTo("alice");
    assertThat(s.login("10.0.0.1", "ALICE", k).join().username()).isEqualTo("alice");
  }

  @Test
  void register_durableBeforeOk_survivesReload() {
    AccountService s = open();
    ByteString k = key();
    s.register("h", "bob", LOW, k, "").join();
    AccountService reloaded = open();
    assertThat(reloaded.accountCount()).isEqualTo(1);
    assertThat(reloaded.login("h", "bob", k).join().kdf()).isEqualTo(new KdfParameters(8192, 1, 1));
  }

  @Test
  void register_storeFails_notCachedAndNotOk() {
    AccountService s = open();
    store.failWrites(true);
    assertThatThrownBy(() -> s.register("h", "carl", LOW, key(), "").join())
        .hasRootCauseMessage("disk full (test)");
    store.failWrites(false);
    assertThat(s.find("carl")).isEmpty();
    assertThat(s.register("h", "carl", LOW, key(), "").join().username()).isEqualTo("carl");
  }

  @Test
  void register_takenName_refused() {
    AccountService s = open();
    s.register("h", "alice", LOW, key(), "").join();
    assertThat(refusal(s.register("h", "ALICE", LOW, key(), "")))
        .isEqualTo(ErrorCode.USERNAME_TAKEN);
  }

  @Test
  void register_concurrentSameName_exactlyOneWins() {
    AccountService s = open();
    List<CompletableFuture<Account>> all = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      all.add(s.register("h", "race", LOW, key(), ""));
    }
    long won = all.stream().filter(f -> !f.isCompletedExceptionally() && tryJoin(f)).count();
    assertThat(won).isEqualTo(1);
  }

  private static boolean tryJoin(CompletableFuture<Account> f) {
    try {
      f.join();
      return true;
    } catch (CompletionException e) {
      assertThat(((RequestException) e.getCause()).code()).isEqualTo(ErrorCode.USERNAME_TAKEN);
      return false;
    }
  }

  @Test
  void register_badInputs_stableCodes() {
    AccountService s = open();
    assertThat(refusal(s.register("h", "ab", LOW, key(), "")))
        .isEqualTo(ErrorCode.INVALID_USERNAME);
    assertThat(refusal(s.register("h", "bad name", LOW, key(), "")))
        .isEqualTo(ErrorCode.INVALID_USERNAME);
    assertThat(refusal(s.register("h", "okname", LOW, ByteString.copyFrom(new byte[31]), "")))
        .isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(
            refusal(
                s.register("h", "okname", LOW.toBuilder().setParallelism(0).build(), key(), "")))
        .isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(s.accountCount()).isZero();
  }

  @Test
  void login_unknownUserAndWrongKey_sameCodeAndMessage() {
    AccountService s = open();
    s.register("h", "alice", LOW, key(), "").join();
    CompletableFuture<Account> wrong = s.login("h", "alice", key());
    CompletableFuture<Account> unknown = s.login("h", "nobody", key());
    assertThat(refusal(wrong)).isEqualTo(ErrorCode.AUTH_FAILED);
    assertThat(refusal(unknown)).isEqualTo(ErrorCode.AUTH_FAILED);
    assertThat(wrong.handle((v, e) -> e.getMessage()).join())
        .isEqualTo(unknown.handle((v, e) -> e.getMessage()).join());
  }

  @Test
  void login_disabled_onlyRevealedWithRightKey() {
    AccountService s = open();
    ByteString k = key();
    Account a = s.register("h", "dora", LOW, k, "").join();
    new AccountStore(store).put(a.withDisabled(true)).join();
    AccountService reloaded = open();
    assertThat(refusal(reloaded.login("h", "dora", key()))).isEqualTo(ErrorCode.AUTH_FAILED);
    assertThat(refusal(reloaded.login("h", "dora", k))).isEqualTo(ErrorCode.ACCOUNT_DISABLED);
  }

  @Test
  void closedRegistration_refused() {
    AccountService s = service(RegistrationPolicy.CLOSED, new Throttles.Config(WIDE, WIDE, WIDE));
    assertThat(refusal(s.register("h", "eve", LOW, key(), "")))
        .isEqualTo(ErrorCode.REGISTRATION_NOT_ALLOWED);
  }

  @Test
  void inviteRegistration_codeSingleUse_badCodesRefused() {
    AccountService s = service(RegistrationPolicy.INVITE, new Throttles.Config(WIDE, WIDE, WIDE));
    String code = InviteCodes.generate(RANDOM);
    new AccountStore(store).addInvite(InviteCodes.normalize(code).orElseThrow(), 0).join();
    assertThat(refusal(s.register("h", "fay", LOW, key(), ""))).isEqualTo(ErrorCode.INVITE_INVALID);
    assertThat(refusal(s.register("h", "fay", LOW, key(), "not-a-code")))
        .isEqualTo(ErrorCode.INVITE_INVALID);
    assertThat(refusal(s.register("h", "fay", LOW, key(), InviteCodes.generate(RANDOM))))
        .isEqualTo(ErrorCode.INVITE_INVALID);
    assertThat(s.register("h", "fay", LOW, key(), code.toUpperCase()).join().username())
        .isEqualTo("fay");
    assertThat(refusal(s.register("h", "gus", LOW, key(), code)))
        .isEqualTo(ErrorCode.INVITE_INVALID);
    assertThat(new AccountStore(store).inviteCount()).isZero();
  }

  @Test
  void inviteRegistration_takenName_keepsTheCode() {
    AccountService s = service(RegistrationPolicy.INVITE, new Throttles.Config(WIDE, WIDE, WIDE));
    String code = InviteCodes.generate(RANDOM);
    new AccountStore(store).addInvite(InviteCodes.normalize(code).orElseThrow(), 0).join();
    String other = InviteCodes.generate(RANDOM);
    new AccountStore(store).addInvite(InviteCodes.normalize(other).orElseThrow(), 0).join();
    s.register("h", "hal", LOW, key(), other).join();
    assertThat(refusal(s.register("h", "hal", LOW, key(), code)))
        .isEqualTo(ErrorCode.USERNAME_TAKEN);
    assertThat(new AccountStore(store).inviteCount()).isEqualTo(1);
  }

  @Test
  void login_throttledPerAccount_acrossAddresses_withRetryTime() {
    RateLimiter.Config perAccount = new RateLimiter.Config(3, Duration.ofSeconds(10), 100);
    AccountService s =
        service(RegistrationPolicy.OPEN, new Throttles.Config(WIDE, WIDE, perAccount));
    ByteString k = key();
    s.register("a1", "ivy", LOW, k, "").join();
    assertThat(refusal(s.login("a2", "ivy", key()))).isEqualTo(ErrorCode.AUTH_FAILED);
    assertThat(refusal(s.login("a3", "ivy", key()))).isEqualTo(ErrorCode.AUTH_FAILED);
    CompletableFuture<Account> limited = s.login("a4", "ivy", k);
    assertThat(refusal(limited)).isEqualTo(ErrorCode.RATE_LIMITED);
    long retry =
        limited
            .handle(
                (v, e) ->
                    ((RequestException) (e instanceof CompletionException ? e.getCause() : e))
                        .retryAfterMs()
                        .orElseThrow())
            .join();
    assertThat(retry).isBetween(1L, 10_000L);
    nanos.addAndGet(Duration.ofSeconds(10).toNanos());
    assertThat(s.login("a4", "ivy", k).join().username()).isEqualTo("ivy");
  }

  @Test
  void login_throttledPerAddress_unknownNamesToo() {
    RateLimiter.Config perAddress = new RateLimiter.Config(2, Duration.ofSeconds(3), 100);
    AccountService s =
        service(RegistrationPolicy.OPEN, new Throttles.Config(WIDE, perAddress, WIDE));
    assertThat(refusal(s.login("10.0.0.9", "u1-x", key()))).isEqualTo(ErrorCode.AUTH_FAILED);
    assertThat(refusal(s.login("10.0.0.9", "u2-x", key()))).isEqualTo(ErrorCode.AUTH_FAILED);
    assertThat(refusal(s.login("10.0.0.9", "u3-x", key()))).isEqualTo(ErrorCode.RATE_LIMITED);
    assertThat(refusal(s.login("10.0.0.8", "u3-x", key()))).isEqualTo(ErrorCode.AUTH_FAILED);
  }

  @Test
  void changePassword_oldKeyAuthorizes_newKeyAndParamsStored() {
    AccountService s = open();
    ByteString first = key();
    ByteString second = key();
    s.register("h", "jay", LOW, first, "").join();
    KdfParams raised = LOW.toBuilder().setMemoryKib(65536).setIterations(3).build();
    assertThat(refusal(s.changePassword("h", "jay", key(), second, raised)))
        .isEqualTo(ErrorCode.AUTH_FAILED);
    s.changePassword("h", "jay", first, second, raised).join();
    AccountService reloaded = open();
    assertThat(refusal(reloaded.login("h", "jay", first))).isEqualTo(ErrorCode.AUTH_FAILED);
    assertThat(reloaded.login("h", "jay", second).join().kdf()).isEqualTo(KdfParameters.DEFAULT);
    assertThat(reloaded.kdfParametersFor("JAY")).isEqualTo(KdfParameters.DEFAULT);
  }

  @Test
  void kdfParameters_unknownOrInvalidName_default() {
    AccountService s = open();
    s.register("h", "kim", LOW, key(), "").join();
    assertThat(s.kdfParametersFor("kim")).isEqualTo(new KdfParameters(8192, 1, 1));
    assertThat(s.kdfParametersFor("ghost")).isEqualTo(KdfParameters.DEFAULT);
    assertThat(s.kdfParametersFor("\u0000bad")).isEqualTo(KdfParameters.DEFAULT);
  }
}
