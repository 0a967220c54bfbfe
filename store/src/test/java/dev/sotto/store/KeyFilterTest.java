package dev.sotto.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KeyFilterTest {
  private static byte[] randomKey(Random rnd) {
    byte[] k = new byte[1 + rnd.nextInt(40)];
    rnd.nextBytes(k);
    return k;
  }

  @Test
  void everyAddedKey_isReported_inItsMapOnly() {
    Random rnd = new Random(1);
    KeyFilter f = KeyFilter.forKeys(10_000);
    List<byte[]> keys = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      byte[] k = randomKey(rnd);
      keys.add(k);
      f.add(i % 2 == 0 ? "a" : "b", k);
    }
    for (int i = 0; i < keys.size(); i++) {
      assertThat(f.mightContain(i % 2 == 0 ? "a" : "b", keys.get(i))).as("key %d", i).isTrue();
    }
    // the same bytes under the other map name are mostly absent: the map is part of the hash
    int otherMap = 0;
    for (int i = 0; i < keys.size(); i++) {
      if (f.mightContain(i % 2 == 0 ? "b" : "a", keys.get(i))) {
        otherMap++;
      }
    }
    assertThat(otherMap).isLessThan(keys.size() / 20);
  }

  @Test
  void falsePositiveRate_atCapacity_isAboutOnePercent() {
    Random rnd = new Random(2);
    KeyFilter f = KeyFilter.forKeys(50_000); // capacity 100,000
    for (long i = 0; i < f.capacity(); i++) {
      f.add("m", randomKey(rnd));
    }
    assertThat(f.saturated()).isFalse();
    int fp = 0;
    int probes = 100_000;
    for (int i = 0; i < probes; i++) {
      byte[] k = new byte[48]; // longer than any added key: never added
      rnd.nextBytes(k);
      if (f.mightContain("m", k)) {
        fp++;
      }
    }
    assertThat(fp).isBetween(1, probes * 3 / 100);
    f.add("m", randomKey(rnd));
    assertThat(f.saturated()).isTrue();
  }

  @Test
  void emptyFilter_containsNothing_andIsSizedAtLeastTheMinimum() {
    KeyFilter f = KeyFilter.forKeys(0);
    assertThat(f.capacity()).isEqualTo(KeyFilter.MIN_CAPACITY);
    assertThat(f.mightContain("m", new byte[0])).isFalse();
    assertThat(f.mightContain("m", new byte[] {1, 2, 3})).isFalse();
    f.add("m", new byte[0]);
    assertThat(f.mightContain("m", new byte[0])).isTrue();
    assertThat(KeyFilter.forKeys(1_000_000).capacity()).isEqualTo(2_000_000);
  }
}
