package dev.sotto.server.messaging;

import dev.sotto.server.net.Connection;
import dev.sotto.server.net.ConnectionRegistry;
import dev.sotto.server.presence.Presence;
import dev.sotto.server.presence.PresenceRegistry;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.PresencePush;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Sends {@code PresencePush} frames to the connections that watch a user ({@code WatchPresence}):
 * at most one per user per interval, the last state winning.
 *
 * <p>Scope: a change is pushed only to the connections whose watch set names the user, found
 * through a reverse index ({@link WatchIndex}), so a change costs one push per watcher, not one per
 * logged-in connection. A new watch set is answered by a snapshot: the current visible presence of
 * each watched user (OFFLINE included), queued behind the request's {@code Ok}.
 *
 * <p>The first change of a user is pushed at once and opens a window of {@code intervalMs}; changes
 * within the window only replace the pending state, and when the window closes the pending state is
 * pushed (and a new window opens) unless it equals what was pushed last. So a user who flips
 * presence (or reconnects) in a loop costs each viewer at most one push per interval, and viewers
 * always end on the user's current state. Memory: one small entry per user with an open window.
 *
 * <p>Privacy: nothing about a user is pushed to someone the user has blocked; for them the user
 * stays OFFLINE ({@link #blockedBy}, {@link #unblockedBy}).
 *
 * <p>Threads: called from every event loop (requests, connection life, timers). One lock guards the
 * watch index and covers each fan-out and each snapshot, so a snapshot never overtakes a change it
 * already saw; a change that overtakes a snapshot is followed by its window's last push, so a
 * watcher always ends on the user's current state.
 */
final class PresenceBroadcaster {

  /** Runs a task after a delay, on any thread (a Vert.x timer in the server). */
  @FunctionalInterface
  interface Timer {
    void after(long delayMs, Runnable task);
  }

  private static final class Window {
    Presence sent;
    Presence pending;

    Window(Presence sent) {
      this.sent = sent;
    }
  }

  private final ConnectionRegistry registry;
  private final PresenceRegistry presence;
  private final long intervalMs;
  private final Timer timer;
  private final Map<String, Window> windows = new HashMap<>();
  private final Object watchLock = new Object();
  private final WatchIndex<Connection> watches = new WatchIndex<>();

  PresenceBroadcaster(
      ConnectionRegistry registry, PresenceRegistry presence, long intervalMs, Timer timer) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.presence = Objects.requireNonNull(presence, "presence");
    this.timer = Objects.requireNonNull(timer, "timer");
    if (intervalMs < 1) {
      throw new IllegalArgumentException("expected a positive interval, got " + intervalMs);
    }
    this.intervalMs = intervalMs;
  }

  /** {@code user}'s visible presence changed to {@code now}. */
  void changed(String user, Presence now) {
    synchronized (windows) {
      Window w = windows.get(user);
      if (w != null) {
        w.pending = now;
        return;
      }
      windows.put(user, new Window(now));
    }
    pushToWatchers(user, now);
    timer.after(intervalMs, () -> windowClosed(user));
  }

  private void windowClosed(String user) {
    Presence next;
    synchronized (windows) {
      Window w = windows.get(user);
      if (w == null) {
        return;
      }
      if (w.pending == null || w.pending == w.sent) {
        windows.remove(user);
        return;
      }
      next = w.pending;
      w.sent = next;
      w.pending = null;
    }
    pushToWatchers(user, next);
    timer.after(intervalMs, () -> windowClosed(user));
  }

  /**
   * Makes {@code users} the whole watch set of {@code connection} and queues the current visible
   * presence of each. Call on the connection's event loop while handling its {@code WatchPresence}:
   * the pushes are queued through the loop's task queue, so they follow the {@code Ok} written in
   * the same task.
   *
   * @param users existing users other than the connection's own, canonical, without repeats
   */
  void watch(Connection connection, List<String> users) {
    String viewer = connection.user();
    synchronized (watchLock) {
      watches.replace(connection, users);
      for (String user : users) {
        connection.pushInOrder(frame(user, presence.visibleTo(user, viewer)));
      }
    }
  }

  /** The connection closed: it watches nobody any more. */
  void unwatch(Connection connection) {
    synchronized (watchLock) {
      watches.remove(connection);
    }
  }

  /**
   * {@code blocker} blocked {@code blocked}: from now on the blocker looks OFFLINE to them; told at
   * once to the connections of {@code blocked} that watch the blocker.
   */
  void blockedBy(String blocker, String blocked) {
    if (presence.presence(blocker) != Presence.OFFLINE) {
      pushToWatching(blocked, blocker, Presence.OFFLINE);
    }
  }

  /**
   * {@code blocker} unblocked {@code blocked}: the connections of {@code blocked} that watch the
   * blocker see the blocker's presence again.
   */
  void unblockedBy(String blocker, String blocked) {
    Presence now = presence.visibleTo(blocker, blocked);
    if (now != Presence.OFFLINE) {
      pushToWatching(blocked, blocker, now);
    }
  }

  /** How many users have at least one watching connection (tests, metrics). */
  int watchedUsers() {
    synchronized (watchLock) {
      return watches.watchedUsers();
    }
  }

  /** How many connections watch at least one user (tests, metrics). */
  int watchingConnections() {
    synchronized (watchLock) {
      return watches.watchers();
    }
  }

  /** How many users have an open window (tests). */
  int openWindows() {
    synchronized (windows) {
      return windows.size();
    }
  }

  private void pushToWatchers(String user, Presence now) {
    Frame push = frame(user, now);
    synchronized (watchLock) {
      for (Connection c : watches.watchersOf(user)) {
        if (!presence.isBlocked(user, c.user())) {
          c.pushInOrder(push);
        }
      }
    }
  }

  private void pushToWatching(String viewer, String user, Presence p) {
    Frame push = frame(user, p);
    synchronized (watchLock) {
      for (Connection c : registry.connectionsOf(viewer)) {
        if (watches.watches(c, user)) {
          c.pushInOrder(push);
        }
      }
    }
  }

  private static Frame frame(String user, Presence p) {
    return Frame.newBuilder()
        .setPresencePush(PresencePush.newBuilder().setUsername(user).setPresence(p.toProto()))
        .build();
  }
}
