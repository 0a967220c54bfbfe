package dev.sotto.server.net;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live, logged-in connections of each user, so that pushes (messages, presence) reach every
 * connection of a recipient. Thread-safe: connections on every event loop register here.
 */
public final class ConnectionRegistry {

  private final ConcurrentHashMap<String, Set<Connection>> byUser = new ConcurrentHashMap<>();

  void add(String user, Connection connection) {
    byUser.computeIfAbsent(user, u -> ConcurrentHashMap.newKeySet()).add(connection);
  }

  void remove(String user, Connection connection) {
    byUser.computeIfPresent(
        user,
        (u, set) -> {
          set.remove(connection);
          return set.isEmpty() ? null : set;
        });
  }

  /** The user's live connections (a snapshot). */
  public List<Connection> connectionsOf(String user) {
    Set<Connection> set = byUser.get(user);
    return set == null ? List.of() : List.copyOf(set);
  }

  /** Every live logged-in connection (a snapshot). */
  public List<Connection> all() {
    List<Connection> out = new java.util.ArrayList<>();
    for (Set<Connection> set : byUser.values()) {
      out.addAll(set);
    }
    return out;
  }

  /** Whether the user has at least one live connection. */
  public boolean isOnline(String user) {
    return byUser.containsKey(user);
  }

  /** How many users have a live connection. */
  public int onlineUsers() {
    return byUser.size();
  }
}
