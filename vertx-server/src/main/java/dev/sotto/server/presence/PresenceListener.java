package dev.sotto.server.presence;

/** Told of every change of a user's visible presence (to send {@code PresencePush}). */
@FunctionalInterface
public interface PresenceListener {
  /** Called on the thread that caused the change; must be quick and must not block. */
  void presenceChanged(String user, Presence presence);
}
