package dev.sotto.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ReadCacheTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void offerFromAnOlderGeneration_isRefused() {
    ReadCache c = new ReadCache();
    long before = c.generation();
    c.advance(); // a checkpoint started writing MapDB after the read
    c.offer(before, "m", b("k"), b("old"));
    assertThat(c.get("m", b("k"))).isNull();
    c.offer(c.generation(), "m", b("k"), b("current"));
    assertThat(c.get("m", b("k"))).isEqualTo(b("current"));
  }

  @Test
  void checkpointerWrites_updateOrDropCachedCopies_only() {
    ReadCache c = new ReadCache();
    c.offer(c.generation(), "m", b("k"), b("v1"));
    c.written("m", b("k"), b("v2"));
    assertThat(c.get("m", b("k"))).isEqualTo(b("v2"));
    c.written("m", b("other"), b("x")); // not cached: stays out
    assertThat(c.get("m", b("other"))).isNull();
    c.written("m", b("k"), new byte[ReadCache.MAX_VALUE_BYTES + 1]); // too big to keep
    assertThat(c.get("m", b("k"))).isNull();
    c.offer(c.generation(), "m", b("k"), b("v3"));
    c.written("m", b("k"), null); // removed from MapDB
    assertThat(c.get("m", b("k"))).isNull();
    assertThat(c.get("n", b("k"))).isNull();
  }

  @Test
  void keysAreCopied_bigValuesAndClearedCacheHoldNothing() {
    ReadCache c = new ReadCache();
    byte[] key = b("k");
    c.offer(c.generation(), "m", key, b("v"));
    key[0] = 'x';
    assertThat(c.get("m", b("k"))).isEqualTo(b("v"));
    c.offer(c.generation(), "m", b("big"), new byte[ReadCache.MAX_VALUE_BYTES + 1]);
    assertThat(c.get("m", b("big"))).isNull();
    long g = c.generation();
    c.clear();
    assertThat(c.size()).isZero();
    c.offer(g, "m", b("k"), b("v")); // from before the reopen
    assertThat(c.get("m", b("k"))).isNull();
  }

  @Test
  void absentMarks_followTheGenerationRule_dropOnPut_andStayBounded() {
    ReadCache c = new ReadCache();
    long before = c.generation();
    c.advance();
    c.offerAbsent(before, "m", b("k")); // read before a checkpoint started: refused
    assertThat(c.knownAbsent("m", b("k"))).isFalse();
    c.offerAbsent(c.generation(), "m", b("k"));
    assertThat(c.knownAbsent("m", b("k"))).isTrue();
    assertThat(c.knownAbsent("n", b("k"))).isFalse();
    c.written("m", b("k"), null); // removed again: still absent
    assertThat(c.knownAbsent("m", b("k"))).isTrue();
    c.written("m", b("k"), b("v")); // the checkpointer puts it
    assertThat(c.knownAbsent("m", b("k"))).isFalse();
    assertThat(c.get("m", b("k"))).as("a put does not cache a value by itself").isNull();

    for (int i = 0; i <= ReadCache.MAX_ABSENT; i++) {
      c.offerAbsent(c.generation(), "m", b("a" + i));
    }
    assertThat(c.size()).isLessThanOrEqualTo(ReadCache.MAX_ABSENT);
    c.clear();
    assertThat(c.size()).isZero();
  }
}
