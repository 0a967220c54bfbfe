package dev.sotto.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProcStatsTest {
  private static String stat(String comm, long utime, long stime) {
    return "4242 ("
        + comm
        + ") S 1 4242 4242 0 -1 4194560 12345 0 0 0 "
        + utime
        + " "
        + stime
        + " 0 0 20 0 31 0 987654 4096000000 51200 18446744073709551615 1 1 0 0 0 0 0 4096 17663"
        + " 0 0 0 17 1 0 0 0 0 0\n";
  }

  @Test
  void parseCpuTicks_sumsUtimeAndStime() {
    assertThat(ProcStats.parseCpuTicks(stat("java", 1500, 250))).isEqualTo(1750);
  }

  @Test
  void parseCpuTicks_commandWithSpacesAndParentheses_countsAfterLastParenthesis() {
    assertThat(ProcStats.parseCpuTicks(stat("a) b (c", 7, 3))).isEqualTo(10);
  }

  @Test
  void parseCpuTicks_truncatedLine_rejected() {
    assertThatThrownBy(() -> ProcStats.parseCpuTicks("12 (x) S 1 2 3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 15 fields");
    assertThatThrownBy(() -> ProcStats.parseCpuTicks("no parenthesis"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parseRssKib_readsVmRssLine() {
    String status = "Name:\tjava\nVmPeak:\t 9999 kB\nVmRSS:\t  123456 kB\nThreads:\t31\n";
    assertThat(ProcStats.parseRssKib(status)).isEqualTo(123456);
  }

  @Test
  void parseRssKib_missingLine_rejected() {
    assertThatThrownBy(() -> ProcStats.parseRssKib("Name:\tzombie\nState:\tZ\n"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void sample_cpuMicrosAndCoreFraction() {
    ProcStats.Sample a = new ProcStats.Sample(100, 0, 0);
    ProcStats.Sample b = new ProcStats.Sample(150, 0, 1_000_000_000L);
    assertThat(b.cpuMicrosSince(a)).isEqualTo(500_000);
    assertThat(b.coreFractionSince(a)).isEqualTo(0.5);
  }

  @Test
  void sample_ofThisProcess_hasRssAndCpu() throws Exception {
    ProcStats.Sample self = ProcStats.sample("self");
    assertThat(self.rssKib()).isPositive();
    assertThat(self.cpuTicks()).isNotNegative();
  }
}
