package dev.sotto.server.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sotto.server.testing.InMemoryStore;
import dev.sotto.store.JournaledStore;
import dev.sotto.store.StoreOptions;
import dev.sotto.wire.WireException;
import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.PresenceState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PresenceRegistryTest {

  @Test
  void presence_twoConnections_offlineOnlyWhenLastCloses() throws Exception {
    try (InMemoryStore store = new InMemoryStore()) {
      PresenceRegistry r = PresenceRegistry.open(store).get(5, TimeUnit.SECONDS);
      List<String> events = Collections.synchronizedList(new ArrayList<>());
      r.addListener((u, p) -> events.add(u + "=" + p));
      assertThat(r.presence("bob")).isEqualTo(Presence.OFFLINE);
      assertThat(r.connected("bob")).isEqualTo(Presence.ONLINE);
      r.connected("bob");
      r.set("bob", Presence.AWAY);
      r.disconnected("bob");
      assertThat(r.presence("bob")).isEqualTo(Presence.AWAY);
      r.disconnected("bob");
      assertThat(r.presence("bob")).isEqualTo(Presence.OFFLINE);
      r.disconnected("bob");
      assertThat(events).containsExactly("bob=ONLINE", "bob=AWAY", "bob=OFFLINE");
    }
  }

  @Test
  void set_dnd_rememberedAcrossReconnectAndOfflineNotChoosable() throws Exception {
    try (InMemoryStore store = new InMemoryStore()) {
      PresenceRegistry r = PresenceRegistry.open(store).get(5, TimeUnit.SECONDS);
      List<String> events = Collections.synchronizedList(new ArrayList<>());
      Runnable remove = r.addListener((u, p) -> events.add(u + "=" + p));
      r.connected("bob");
      r.set("bob", Presence.DND);
      r.set("bob", Presence.DND);
      r.disconnected("bob");
      assertThat(r.connected("bob")).isEqualTo(Presence.DND);
      remove.run();
      r.set("bob", Presence.ONLINE);
      assertThat(events).containsExactly("bob=ONLINE", "bob=DND", "bob=OFFLINE", "bob=DND");
      assertThatThrownBy(() -> r.set("bob", Presence.OFFLINE))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> Presence.chosen(PresenceState.OFFLINE))
          .isInstanceOf(WireException.class);
      assertThat(Presence.chosen(PresenceState.DND)).isEqualTo(Presence.DND);
      assertThat(Presence.DND.toProto()).isEqualTo(PresenceState.DND);
    }
  }

  @Test
  void block_keptInStoreAcrossReopen(@TempDir Path dir) throws Exception {
    StoreOptions opts = StoreOptions.builder().fsyncDisabledForTestsOnly(true).build();
    try (JournaledStore store = JournaledStore.open(dir, opts)) {
      PresenceRegistry r = PresenceRegistry.open(store).get(5, TimeUnit.SECONDS);
      r.block("bob", "mallory").get(5, TimeUnit.SECONDS);
      r.block("bob", "eve").get(5, TimeUnit.SECONDS);
      r.block("bobby", "alice").get(5, TimeUnit.SECONDS);
      r.block("carol", "mallory").get(5, TimeUnit.SECONDS);
      r.unblock("carol", "mallory").get(5, TimeUnit.SECONDS);
      assertThat(r.isBlocked("bob", "mallory")).isTrue();
      assertThat(r.isBlocked("mallory", "bob")).isFalse();
    }
    try (JournaledStore store = JournaledStore.open(dir, opts)) {
      PresenceRegistry r = PresenceRegistry.open(store).get(5, TimeUnit.SECONDS);
      assertThat(r.blocked("bob")).containsExactly("eve", "mallory");
      assertThat(r.blocked("bobby")).containsExactly("alice");
      assertThat(r.isBlocked("carol", "mallory")).isFalse();
      assertThat(r.blocked("carol")).isEmpty();
    }
  }

  @Test
  void block_selfOrTooMany_rejected() throws Exception {
    try (InMemoryStore store = new InMemoryStore()) {
      PresenceRegistry r = PresenceRegistry.open(store).get(5, TimeUnit.SECONDS);
      assertThatThrownBy(() -> r.block("bob", "bob").get(5, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(WireException.class)
          .satisfies(
              e -> assertThat(((WireException) e).code()).isEqualTo(ErrorCode.INVALID_REQUEST));
      for (int i = 0; i < PresenceRegistry.MAX_BLOCKS_PER_USER; i++) {
        r.block("bob", "u" + i);
      }
      r.block("bob", "u0").get(5, TimeUnit.SECONDS);
      assertThat(r.blocked("bob")).hasSize(PresenceRegistry.MAX_BLOCKS_PER_USER);
      assertThatThrownBy(() -> r.block("bob", "one-more").get(5, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(WireException.class);
      assertThat(r.isBlocked("bob", "one-more")).isFalse();
    }
  }
}
