package dev.sotto.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadMainTest {
  @Test
  void localAddress_eightConnectionsPerLoopbackAddress() throws Exception {
    Map<String, Integer> perAddress = new HashMap<>();
    for (int i = 0; i < 20_000; i++) {
      String a = LoadMain.localAddress(i);
      assertThat(InetAddress.getByName(a).isLoopbackAddress()).as(a).isTrue();
      assertThat(a).doesNotEndWith(".0").doesNotEndWith(".255");
      perAddress.merge(a, 1, Integer::sum);
    }
    assertThat(perAddress).hasSize(2500);
    assertThat(perAddress.values()).containsOnly(8);
  }

  @Test
  void messageId_carriesDueTimeIndexAndNonce() {
    byte[] id = RelayWorkload.id(123_456_789_012L, 4_000_000_000L, -7);
    assertThat(id).hasSize(16);
    ByteBuffer b = ByteBuffer.wrap(id);
    assertThat(b.getLong()).isEqualTo(123_456_789_012L);
    assertThat(b.getInt() & 0xFFFFFFFFL).isEqualTo(4_000_000_000L);
    assertThat(b.getInt()).isEqualTo(-7);
  }
}
