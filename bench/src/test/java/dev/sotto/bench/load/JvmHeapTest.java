package dev.sotto.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JvmHeapTest {
  @Test
  void parseUsedKib_serialGc_sumsGenerationsNotMetaspace() {
    String out =
        "10352:\n"
            + " def new generation   total 116224K, used 56691K [0x0000000687400000, 0x1, 0x2)\n"
            + "  eden space 103360K,  54% used [0x0000000687400000, 0x1, 0x2)\n"
            + "  from space 12864K,   0% used [0x000000068d8f0000, 0x1, 0x2)\n"
            + " tenured generation   total 258048K, used 17784K [0x0000000704d50000, 0x1, 0x2)\n"
            + "   the space 258048K,   6% used [0x0000000704d50000, 0x1, 0x2, 0x3)\n"
            + " Metaspace       used 24905K, committed 25280K, reserved 1114112K\n"
            + "  class space    used 2943K, committed 3136K, reserved 1048576K\n";
    assertThat(JvmHeap.parseUsedKib(out)).isEqualTo(56691 + 17784);
  }

  @Test
  void parseUsedKib_g1() {
    String out =
        " garbage-first heap   total 262144K, used 21504K [0x00000000f0000000, 0x0000000100000000)\n"
            + "  region size 1024K, 12 young (12288K), 0 survivors (0K)\n"
            + " Metaspace       used 20000K, committed 20480K, reserved 1067008K\n";
    assertThat(JvmHeap.parseUsedKib(out)).isEqualTo(21504);
  }

  @Test
  void parseUsedKib_noGeneration_rejected() {
    assertThatThrownBy(() -> JvmHeap.parseUsedKib("12: Could not attach\n"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
