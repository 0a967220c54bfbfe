package dev.sotto.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sotto.wire.WireLimits;
import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.PresencePush;
import dev.sotto.wire.proto.PresenceState;
import dev.sotto.wire.proto.WatchPresence;
import java.time.Duration;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Scoped presence over the real server: a connection is pushed the presence of the users it watches
 * ({@code WatchPresence}) and of no one else; a new watch set replaces the old one and is answered
 * by {@code Ok} and a snapshot; blocks hide the blocker; the index forgets closed connections. The
 * server is this class's own, so its watch counts are exact.
 */
class PresenceWatchIT {

  @RegisterExtension static final LiveServer live = new LiveServer();

  /** Watches {@code user}, who is online: Ok, then the snapshot says ONLINE. */
  private static void watchOnline(TestClient c, String user) throws Exception {
    assertThat(Msg.watch(c, user).hasOk()).isTrue();
    assertThat(presenceOf(c, user)).isEqualTo(PresenceState.ONLINE);
  }

  private static PresenceState presenceOf(TestClient c, String user) throws Exception {
    return Msg.nextPresenceOf(c, user).getPresence();
  }

  @Test
  void watch_okFirst_thenSnapshotOfEachKnownUser_unknownAndSelfLeftOut() throws Exception {
    String alice = live.name("alice");
    String bob = live.name("bob");
    String dave = live.name("dave");
    try (TestClient d = Msg.registered(live.port(), dave, TestClient.randomKey())) {
      assertThat(Msg.logout(d).hasOk()).isTrue();
    }
    // Dave's login and logout fall in one push window, whose end would push OFFLINE again (to
    // alice, once she watches): let it close first, so that the snapshot is all she gets.
    Thread.sleep(2 * live.server().config().messaging().presencePushInterval().toMillis() + 200);
    try (TestClient a = Msg.registered(live.port(), alice, TestClient.randomKey());
        TestClient b = Msg.registered(live.port(), bob, TestClient.randomKey())) {
      long id =
          a.sendRequest(
              Frame.newBuilder()
                  .setWatchPresence(
                      WatchPresence.newBuilder()
                          .addUsernames(bob.toUpperCase(java.util.Locale.ROOT))
                          .addUsernames("nosuchuser")
                          .addUsernames(alice)
                          .addUsernames(dave)
                          .addUsernames(bob)));
      Frame ok = a.read();
      assertThat(ok.hasOk()).as("%s", ok).isTrue();
      assertThat(ok.getRequestId()).isEqualTo(id);
      assertThat(a.read().getPresencePush())
          .isEqualTo(
              PresencePush.newBuilder().setUsername(bob).setPresence(PresenceState.ONLINE).build());
      assertThat(a.read().getPresencePush())
          .as("an offline user is in the snapshot too")
          .isEqualTo(
              PresencePush.newBuilder()
                  .setUsername(dave)
                  .setPresence(PresenceState.OFFLINE)
                  .build());
      Msg.assertNothingWithin(a, 700);
    }
  }

  @Test
  void change_pushedToWatchers_neverToOthers() throws Exception {
    String alice = live.name("alice");
    String bob = live.name("bob");
    String carol = live.name("carol");
    try (TestClient a = Msg.registered(live.port(), alice, TestClient.randomKey());
        TestClient c = Msg.registered(live.port(), carol, TestClient.randomKey());
        TestClient b = Msg.registered(live.port(), bob, TestClient.randomKey())) {
      watchOnline(a, bob);
      assertThat(Msg.setPresence(b, PresenceState.AWAY).hasOk()).isTrue();
      assertThat(presenceOf(a, bob)).isEqualTo(PresenceState.AWAY);
      assertThat(Msg.logout(b).hasOk()).isTrue();
      assertThat(presenceOf(a, bob)).isEqualTo(PresenceState.OFFLINE);
      Msg.assertNothingWithin(c, 700);
    }
  }

  @Test
  void watch_replacesTheSet_emptyListStops() throws Exception {
    String alice = live.name("alice");
    String bob = live.name("bob");
    String carol = live.name("carol");
    try (TestClient a = Msg.registered(live.port(), alice, TestClient.randomKey());
        TestClient b = Msg.registered(live.port(), bob, TestClient.randomKey());
        TestClient c = Msg.registered(live.port(), carol, TestClient.randomKey())) {
      watchOnline(a, bob);
      watchOnline(a, carol);
      assertThat(Msg.setPresence(b, PresenceState.AWAY).hasOk()).isTrue();
      assertThat(Msg.setPresence(c, PresenceState.DND).hasOk()).isTrue();
      Frame next = a.nextPush();
      assertThat(next.getPresencePush())
          .as("bob is no longer watched: the next push is carol's")
          .isEqualTo(
              PresencePush.newBuilder().setUsername(carol).setPresence(PresenceState.DND).build());
      assertThat(Msg.watch(a).hasOk()).isTrue();
      assertThat(Msg.setPresence(c, PresenceState.AWAY).hasOk()).isTrue();
      assertThat(Msg.setPresence(b, PresenceState.ONLINE).hasOk()).isTrue();
      Msg.assertNothingWithin(a, 1500);
    }
  }

  @Test
  void overTheLimitOrBadName_refused_connectionAndOldSetKept() throws Exception {
    String alice = live.name("alice");
    String bob = live.name("bob");
    try (TestClient a = Msg.registered(live.port(), alice, TestClient.randomKey());
        TestClient b = Msg.registered(live.port(), bob, TestClient.randomKey())) {
      watchOnline(a, bob);
      WatchPresence.Builder many = WatchPresence.newBuilder();
      for (int i = 0; i <= WireLimits.MAX_WATCHED_USERS; i++) {
        many.addUsernames("user" + i);
      }
      Frame refused = a.request(Frame.newBuilder().setWatchPresence(many));
      assertThat(TestClient.code(refused)).isEqualTo(ErrorCode.INVALID_REQUEST);
      assertThat(refused.getError().getMessage())
          .contains(Integer.toString(WireLimits.MAX_WATCHED_USERS));
      assertThat(TestClient.code(Msg.watch(a, "x"))).isEqualTo(ErrorCode.INVALID_USERNAME);
      assertThat(a.ping()).isTrue();
      assertThat(Msg.setPresence(b, PresenceState.AWAY).hasOk()).isTrue();
      assertThat(presenceOf(a, bob))
          .as("the set before the refusals")
          .isEqualTo(PresenceState.AWAY);
    }
  }

  @Test
  void block_blockerLooksOfflineToWatchingBlocked_nothingToThoseNotWatching() throws Exception {
    String alice = live.name("alice");
    String bob = live.name("bob");
    String carol = live.name("carol");
    String dave = live.name("dave");
    try (TestClient a = Msg.registered(live.port(), alice, TestClient.randomKey());
        TestClient c = Msg.registered(live.port(), carol, TestClient.randomKey());
        TestClient d = Msg.registered(live.port(), dave, TestClient.randomKey());
        TestClient b = Msg.registered(live.port(), bob, TestClient.randomKey())) {
      assertThat(Msg.watch(a, bob).hasOk()).isTrue();
      assertThat(Msg.watch(c, bob).hasOk()).isTrue();
      assertThat(presenceOf(a, bob)).isEqualTo(PresenceState.ONLINE);
      assertThat(presenceOf(c, bob)).isEqualTo(PresenceState.ONLINE);
      assertThat(Msg.block(b, alice).hasOk()).isTrue();
      assertThat(Msg.block(b, dave).hasOk()).isTrue();
      assertThat(presenceOf(a, bob)).as("told at block time").isEqualTo(PresenceState.OFFLINE);
      assertThat(Msg.setPresence(b, PresenceState.AWAY).hasOk()).isTrue();
      assertThat(presenceOf(c, bob)).isEqualTo(PresenceState.AWAY);
      assertThat(Msg.watch(a, bob).hasOk()).isTrue();
      assertThat(presenceOf(a, bob))
          .as("a new snapshot shows the blocker offline")
          .isEqualTo(PresenceState.OFFLINE);
      Msg.assertNothingWithin(a, 700);
      Msg.assertNothingWithin(d, 100);
      assertThat(Msg.unblock(b, alice).hasOk()).isTrue();
      assertThat(presenceOf(a, bob)).isEqualTo(PresenceState.AWAY);
      assertThat(Msg.unblock(b, dave).hasOk()).isTrue();
      Msg.assertNothingWithin(d, 700);
    }
  }

  @Test
  void closedOrEmptiedWatchers_leaveTheIndex() throws Exception {
    awaitCount(() -> live.server().messaging().watchingConnections(), 0);
    awaitCount(() -> live.server().messaging().watchedUsers(), 0);
    String alice = live.name("alice");
    String bob = live.name("bob");
    String carol = live.name("carol");
    try (TestClient c = Msg.registered(live.port(), carol, TestClient.randomKey());
        TestClient b = Msg.registered(live.port(), bob, TestClient.randomKey())) {
      TestClient a = Msg.registered(live.port(), alice, TestClient.randomKey());
      assertThat(Msg.watch(a, bob, carol).hasOk()).isTrue();
      assertThat(Msg.watch(b, carol).hasOk()).isTrue();
      assertThat(live.server().messaging().watchingConnections()).isEqualTo(2);
      assertThat(live.server().messaging().watchedUsers()).isEqualTo(2);
      a.close();
      awaitCount(() -> live.server().messaging().watchingConnections(), 1);
      assertThat(live.server().messaging().watchedUsers()).as("carol only").isEqualTo(1);
      assertThat(Msg.watch(b).hasOk()).isTrue();
      assertThat(live.server().messaging().watchingConnections()).isZero();
      assertThat(live.server().messaging().watchedUsers()).isZero();
      assertThat(Msg.watch(b, carol).hasOk()).isTrue();
      assertThat(Msg.logout(b).hasOk()).isTrue();
      awaitCount(() -> live.server().messaging().watchingConnections(), 0);
      assertThat(live.server().messaging().watchedUsers()).isZero();
    }
  }

  private static void awaitCount(IntSupplier count, int expected) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (count.getAsInt() != expected && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(count.getAsInt()).isEqualTo(expected);
  }
}
