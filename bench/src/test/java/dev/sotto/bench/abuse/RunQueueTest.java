package dev.sotto.bench.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RunQueueTest {

  @Test
  void parseWaitNanos_takesTheSecondField() {
    assertThat(RunQueue.parseWaitNanos("3996883 10175443 2\n")).isEqualTo(10_175_443L);
  }

  @Test
  void parseWaitNanos_otherText_refused() {
    assertThatThrownBy(() -> RunQueue.parseWaitNanos("1 2"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RunQueue.parseWaitNanos("1 x 2"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void waitNanos_ofThisProcess_isKnown_andOfNoProcess_isMinusOne() {
    assertThat(RunQueue.waitNanos("self")).isGreaterThanOrEqualTo(0);
    assertThat(RunQueue.waitNanos("999999999")).isEqualTo(-1);
  }
}
