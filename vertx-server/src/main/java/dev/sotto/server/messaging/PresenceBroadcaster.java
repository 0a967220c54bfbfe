package dev.sotto.server.messaging;

import dev.sotto.server.net.Connection;
import dev.sotto.server.net.ConnectionRegistry;
import dev.sotto.server.presence.Presence;
import dev.sotto.server.presence.PresenceRegistry;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.PresencePush;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Sends {@code PresencePush} frames: at most one per user per interval, the last state winning.
 *
 * <p>The first change of a user is pushed at once and opens a window of {@code intervalMs}; changes
 * within the window only replace the pending state, and when the window closes the pending state is
 * pushed (and a new window opens) unless it equals what was pushed last. So a user who flips
 * presence (or reconnects) in a loop costs each viewer at most one push per interval, and viewers
 * always end on the user's current state. Memory: one small entry per user with an open window.
 *
 * <p>Privacy: nothing about a user is pushed to someone the user has blocked; for them the user
 * stays OFFLINE ({@link #blockedBy}, {@link #unblockedBy}).
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
    pushToAll(user, now);
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
    pushToAll(user, next);
    timer.after(intervalMs, () -> windowClosed(user));
  }

  /** {@code blocker} blocked {@code blocked}: from now on the blocker looks OFFLINE to them. */
  void blockedBy(String blocker, String blocked) {
    if (presence.presence(blocker) != Presence.OFFLINE) {
      pushTo(blocked, blocker, Presence.OFFLINE);
    }
  }

  /** {@code blocker} unblocked {@code blocked}: they see the blocker's presence again. */
  void unblockedBy(String blocker, String blocked) {
    Presence now = presence.visibleTo(blocker, blocked);
    if (now != Presence.OFFLINE) {
      pushTo(blocked, blocker, now);
    }
  }

  /** How many users have an open window (tests). */
  int openWindows() {
    synchronized (windows) {
      return windows.size();
    }
  }

  private void pushToAll(String user, Presence now) {
    Frame push = frame(user, now);
    for (Connection c : registry.all()) {
      String viewer = c.user();
      if (viewer != null && !user.equals(viewer) && !presence.isBlocked(user, viewer)) {
        c.pushInOrder(push);
      }
    }
  }

  private void pushTo(String viewer, String user, Presence p) {
    Frame push = frame(user, p);
    for (Connection c : registry.connectionsOf(viewer)) {
      c.pushInOrder(push);
    }
  }

  private static Frame frame(String user, Presence p) {
    return Frame.newBuilder()
        .setPresencePush(PresencePush.newBuilder().setUsername(user).setPresence(p.toProto()))
        .build();
  }
}
