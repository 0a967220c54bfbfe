package dev.sotto.server.net;

/**
 * Hears the life of logged-in connections: what the messaging layer needs to start and stop a
 * delivery session. Called on the connection's event loop; must not block.
 */
public interface ConnectionListener {

  /** Nobody listens. */
  ConnectionListener NONE =
      new ConnectionListener() {
        @Override
        public void loggedIn(Connection connection) {}

        @Override
        public void loggedOut(Connection connection) {}

        @Override
        public void pushDrained(Connection connection) {}
      };

  /** The connection logged in (or registered) and its {@code LoginOk} has been queued. */
  void loggedIn(Connection connection);

  /** A connection announced by {@link #loggedIn} logged out, closed or began closing; once. */
  void loggedOut(Connection connection);

  /** Pushes refused by {@link Connection#offerPush} can be offered again. */
  void pushDrained(Connection connection);
}
