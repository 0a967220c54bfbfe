package dev.sotto.server.throttle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sotto.wire.WireLimits;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

  private final AtomicLong nanos = new AtomicLong(1_000);

  @Test
  void tokenBucket_burstThenRefusedWithWait_thenRefills() {
    TokenBucket b = new TokenBucket(3, Duration.ofSeconds(2).toNanos(), 0);
    assertThat(b.tryTake(0)).isZero();
    assertThat(b.tryTake(0)).isZero();
    assertThat(b.tryTake(0)).isZero();
    assertThat(b.tryTake(0)).isEqualTo(Duration.ofSeconds(2).toNanos());
    assertThat(b.tryTake(Duration.ofSeconds(1).toNanos()))
        .isEqualTo(Duration.ofSeconds(1).toNanos());
    assertThat(b.tryTake(Duration.ofSeconds(2).toNanos())).isZero();
    assertThat(b.isFull(Duration.ofSeconds(2).toNanos())).isFalse();
    assertThat(b.isFull(Duration.ofSeconds(8).toNanos())).isTrue();
  }

  @Test
  void tokenBucket_refund_givesBackOneToken_neverAboveCapacity() {
    TokenBucket b = new TokenBucket(2, Duration.ofSeconds(10).toNanos(), 0);
    assertThat(b.tryTake(0)).isZero();
    assertThat(b.tryTake(0)).isZero();
    assertThat(b.tryTake(0)).isPositive();
    b.refund();
    assertThat(b.tryTake(0)).isZero();
    assertThat(b.tryTake(0)).isPositive();
    b.refund();
    b.refund();
    b.refund();
    assertThat(b.isFull(0)).isTrue();
    assertThat(b.tryTake(0)).isZero();
    assertThat(b.tryTake(0)).isZero();
    assertThat(b.tryTake(0)).as("three refunds make two tokens, not three").isPositive();
  }

  @Test
  void toRetryMillis_roundsUp() {
    assertThat(TokenBucket.toRetryMillis(0)).isZero();
    assertThat(TokenBucket.toRetryMillis(1)).isEqualTo(1);
    assertThat(TokenBucket.toRetryMillis(1_000_000)).isEqualTo(1);
    assertThat(TokenBucket.toRetryMillis(1_000_001)).isEqualTo(2);
  }

  @Test
  void limiter_keysIndependent_retryInMilliseconds() {
    RateLimiter<String> l =
        new RateLimiter<>("t", new RateLimiter.Config(2, Duration.ofSeconds(5), 10), nanos::get);
    assertThat(l.tryAcquire("a")).isZero();
    assertThat(l.tryAcquire("a")).isZero();
    assertThat(l.tryAcquire("a")).isEqualTo(5000);
    assertThat(l.tryAcquire("b")).isZero();
    nanos.addAndGet(Duration.ofMillis(2500).toNanos());
    assertThat(l.tryAcquire("a")).isEqualTo(2500);
    nanos.addAndGet(Duration.ofMillis(2500).toNanos());
    assertThat(l.tryAcquire("a")).isZero();
  }

  @Test
  void limiter_floodOfDistinctKeys_boundedAndFailsClosed_sweepFrees() {
    RateLimiter<String> l =
        new RateLimiter<>("t", new RateLimiter.Config(5, Duration.ofSeconds(1), 1000), nanos::get);
    Random random = new Random(42);
    int refused = 0;
    for (int i = 0; i < 50_000; i++) {
      if (l.tryAcquire("10.0." + random.nextInt(256) + "." + i) > 0) {
        refused++;
      }
      assertThat(l.size()).isLessThanOrEqualTo(1000);
    }
    assertThat(refused).isEqualTo(49_000);
    assertThat(l.sweep()).isZero();
    nanos.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(l.sweep()).isEqualTo(1000);
    assertThat(l.size()).isZero();
    assertThat(l.tryAcquire("new")).isZero();
  }

  @Test
  void limiter_sweepKeepsBucketsThatAreNotFull() {
    RateLimiter<String> l =
        new RateLimiter<>("t", new RateLimiter.Config(2, Duration.ofSeconds(10), 10), nanos::get);
    l.tryAcquire("busy");
    l.tryAcquire("busy");
    nanos.addAndGet(Duration.ofSeconds(5).toNanos());
    assertThat(l.sweep()).isZero();
    assertThat(l.tryAcquire("busy")).isPositive();
  }

  @Test
  void throttles_authAttempt_checksAddressThenAccount() {
    Throttles t =
        new Throttles(
            new Throttles.Config(
                new RateLimiter.Config(100, Duration.ofSeconds(1), 10),
                new RateLimiter.Config(1, Duration.ofSeconds(3), 10),
                new RateLimiter.Config(1, Duration.ofSeconds(10), 10)),
            nanos::get);
    assertThat(t.tryAuthAttempt("1.1.1.1", "alice")).isZero();
    assertThat(t.tryAuthAttempt("1.1.1.1", "bob")).isEqualTo(3000);
    assertThat(t.tryAuthAttempt("2.2.2.2", "alice")).isEqualTo(10_000);
    assertThat(t.tryAuthAttempt("3.3.3.3", "carol")).isZero();
  }

  @Test
  void tokenBucket_weightedTake_allOrNothing_waitForTheMissingPart() {
    long ms = Duration.ofMillis(1).toNanos();
    TokenBucket b = new TokenBucket(1000, ms, 0);
    assertThat(b.tryTake(0, 600)).isZero();
    assertThat(b.tryTake(0, 600)).as("200 missing at one per ms").isEqualTo(200 * ms);
    assertThat(b.tryTake(0, 400)).as("the refusal took nothing").isZero();
    assertThat(b.tryTake(100 * ms, 100)).isZero();
    assertThat(b.tryTake(100 * ms, 1)).isEqualTo(ms);
    assertThatThrownBy(() -> b.tryTake(0, 1001)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.tryTake(0, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  /** 2 messages at once then one per second; 2 MiB at once then 1 MiB per second. */
  private Throttles sendThrottles() {
    Throttles.Config base = Throttles.Config.defaults();
    return new Throttles(
        base.withSend(
            Throttles.Config.sendMessagesLimit(2, 1),
            Throttles.Config.sendBytesLimit(2L << 20, 1L << 20)),
        nanos::get);
  }

  @Test
  void trySend_bytesBeyondTheBurst_refusedWithTheWait_refillsOverTime() {
    Throttles t = sendThrottles();
    long mib = 1L << 20;
    assertThat(t.trySend("alice", 1536 * 1024)).isZero();
    long retry = t.trySend("alice", mib);
    // 512 KiB are left, 512 KiB missing at 1 MiB/s: half a second.
    assertThat(retry).isBetween(499L, 501L);
    assertThat(t.trySend("bob", mib)).as("another account has its own budget").isZero();
    nanos.addAndGet(Duration.ofMillis(retry - 20).toNanos());
    assertThat(t.trySend("alice", mib)).as("not yet refilled").isBetween(1L, 21L);
    nanos.addAndGet(Duration.ofMillis(20).toNanos());
    assertThat(t.trySend("alice", mib)).isZero();
  }

  @Test
  void trySend_messagesBeyondTheBurst_refused_andAByteRefusalCostsNoMessage() {
    Throttles t = sendThrottles();
    assertThat(t.trySend("alice", 2L << 20)).isZero();
    assertThat(t.trySend("alice", 100)).as("no bytes left").isPositive();
    assertThat(t.trySend("alice", 100)).as("no bytes left").isPositive();
    nanos.addAndGet(Duration.ofMillis(1).toNanos());
    // The byte refusals gave their message tokens back: one message token is left of two.
    assertThat(t.trySend("alice", 100)).isZero();
    assertThat(t.trySend("alice", 100)).as("both message tokens spent").isBetween(900L, 1000L);
    nanos.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(t.trySend("alice", 100)).isZero();
  }

  @Test
  void sendLimits_burstSmallerThanTheLargestFrame_rejected() {
    Throttles.Config base = Throttles.Config.defaults();
    RateLimiter.Config small =
        Throttles.Config.sendBytesLimit(WireLimits.MAX_FRAME_AFTER_LOGIN - 1, 1 << 20);
    assertThatThrownBy(() -> base.withSend(base.sendMessages(), small))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least " + WireLimits.MAX_FRAME_AFTER_LOGIN);
    assertThatThrownBy(() -> Throttles.Config.sendBytesLimit(1 << 20, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void sendLimits_defaults_severalLargestMessagesThenAMebibytePerSecond() {
    Throttles.Config d = Throttles.Config.defaults();
    assertThat((long) d.sendBytes().capacity())
        .isGreaterThanOrEqualTo(4L * WireLimits.MAX_FRAME_AFTER_LOGIN);
    assertThat(d.sendBytes().refillEvery().toNanos()).isEqualTo(954);
    assertThat(d.sendMessages().capacity()).isEqualTo(1000);
    assertThat(d.sendMessages().refillEvery()).isEqualTo(Duration.ofMillis(5));
  }
}
