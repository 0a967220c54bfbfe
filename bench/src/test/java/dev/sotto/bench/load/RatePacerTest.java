package dev.sotto.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RatePacerTest {
  @Test
  void dueNanos_spacesMessagesEvenly() {
    RatePacer pacer = new RatePacer(4000, 1_000);
    assertThat(pacer.dueNanos(0)).isEqualTo(1_000);
    assertThat(pacer.dueNanos(1)).isEqualTo(1_000 + 250_000);
    assertThat(pacer.dueNanos(4000)).isEqualTo(1_000 + 1_000_000_000L);
  }

  @Test
  void dueCount_beforeStart_isZero() {
    assertThat(new RatePacer(1000, 5_000_000).dueCount(4_999_999)).isZero();
  }

  @Test
  void dueCount_countsBoundaryInclusively() {
    RatePacer pacer = new RatePacer(1000, 0);
    assertThat(pacer.dueCount(0)).isEqualTo(1);
    assertThat(pacer.dueCount(999_999)).isEqualTo(1);
    assertThat(pacer.dueCount(1_000_000)).isEqualTo(2);
    assertThat(pacer.dueCount(1_000_000_000)).isEqualTo(1001);
  }

  @Test
  void dueCount_agreesWithDueNanos_onSeededRandomRatesAndTimes() {
    Random random = new Random(42);
    for (int trial = 0; trial < 2000; trial++) {
      double rate = 1 + random.nextDouble() * 200_000;
      long start = random.nextLong() >>> 20;
      RatePacer pacer = new RatePacer(rate, start);
      long now = start + (long) (random.nextDouble() * 3e9);
      long n = pacer.dueCount(now);
      assertThat(pacer.dueNanos(n - 1)).isLessThanOrEqualTo(now);
      assertThat(pacer.dueNanos(n)).isGreaterThan(now);
    }
  }

  @Test
  void constructor_nonPositiveRate_rejected() {
    assertThatThrownBy(() -> new RatePacer(0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RatePacer(Double.NaN, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
