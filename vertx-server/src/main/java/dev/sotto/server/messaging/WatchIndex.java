package dev.sotto.server.messaging;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Who watches whose presence: per watcher (a connection) the users it watches, and the reverse
 * index from a user to its watchers, so that a presence change costs one lookup and one push per
 * watcher instead of one per logged-in connection.
 *
 * <p>Not thread-safe: {@link PresenceBroadcaster} guards it with its lock. Memory: one entry per
 * (watcher, user) pair in each direction, bounded by the number of watchers times the names one
 * {@code WatchPresence} may carry.
 *
 * @param <W> the watcher type (a connection; compared by identity or {@code equals})
 */
final class WatchIndex<W> {

  private final Map<W, Set<String>> byWatcher = new HashMap<>();
  private final Map<String, Set<W>> byUser = new HashMap<>();

  /** Makes {@code users} the whole watch set of {@code watcher}; an empty list removes it. */
  void replace(W watcher, List<String> users) {
    Objects.requireNonNull(watcher, "watcher");
    remove(watcher);
    if (users.isEmpty()) {
      return;
    }
    Set<String> set = new HashSet<>(users);
    byWatcher.put(watcher, set);
    for (String user : set) {
      byUser.computeIfAbsent(user, u -> new HashSet<>()).add(watcher);
    }
  }

  /** Forgets {@code watcher} (its connection closed). */
  void remove(W watcher) {
    Set<String> old = byWatcher.remove(watcher);
    if (old == null) {
      return;
    }
    for (String user : old) {
      Set<W> watchers = byUser.get(user);
      if (watchers != null) {
        watchers.remove(watcher);
        if (watchers.isEmpty()) {
          byUser.remove(user);
        }
      }
    }
  }

  /** The watchers of {@code user} (a live view: do not change the index while iterating). */
  Set<W> watchersOf(String user) {
    Set<W> watchers = byUser.get(user);
    return watchers == null ? Set.of() : watchers;
  }

  /** Whether {@code watcher} watches {@code user}. */
  boolean watches(W watcher, String user) {
    Set<String> set = byWatcher.get(watcher);
    return set != null && set.contains(user);
  }

  /** How many users have at least one watcher. */
  int watchedUsers() {
    return byUser.size();
  }

  /** How many watchers watch at least one user. */
  int watchers() {
    return byWatcher.size();
  }
}
