package dev.sotto.server.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class WatchIndexTest {

  @Test
  void replace_setsTheWholeSet_reverseIndexFollows() {
    WatchIndex<String> index = new WatchIndex<>();
    index.replace("conn1", List.of("bob", "carol"));
    index.replace("conn2", List.of("carol"));
    assertThat(index.watchersOf("carol")).containsExactlyInAnyOrder("conn1", "conn2");
    assertThat(index.watchersOf("bob")).containsExactly("conn1");

    index.replace("conn1", List.of("dave"));
    assertThat(index.watchersOf("bob")).isEmpty();
    assertThat(index.watchersOf("carol")).containsExactly("conn2");
    assertThat(index.watchersOf("dave")).containsExactly("conn1");
    assertThat(index.watches("conn1", "dave")).isTrue();
    assertThat(index.watches("conn1", "carol")).isFalse();
    assertThat(index.watchedUsers()).isEqualTo(2);
    assertThat(index.watchers()).isEqualTo(2);
  }

  @Test
  void emptyListOrRemove_leavesNothingBehind() {
    WatchIndex<String> index = new WatchIndex<>();
    index.replace("conn1", List.of("bob", "carol"));
    index.replace("conn2", List.of("bob"));
    index.replace("conn1", List.of());
    assertThat(index.watchers()).isEqualTo(1);
    assertThat(index.watchedUsers()).isEqualTo(1);
    index.remove("conn2");
    index.remove("conn2");
    assertThat(index.watchers()).isZero();
    assertThat(index.watchedUsers()).isZero();
    assertThat(index.watchersOf("bob")).isEmpty();
    assertThat(index.watches("conn1", "bob")).isFalse();
  }
}
