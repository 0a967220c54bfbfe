package dev.sotto.keystore.state;

import dev.sotto.keystore.ProtocolAddress;
import dev.sotto.keystore.ratchet.SessionState;
import java.util.Optional;

/** Double Ratchet sessions, one per address. */
public interface SessionStore {
  /** Returns a copy of the session with an address; changing it changes nothing stored. */
  Optional<SessionState> loadSession(ProtocolAddress address);

  /** Commits a session (replacing the previous one). */
  void storeSession(ProtocolAddress address, SessionState session);

  /** Deletes the session with an address. */
  void deleteSession(ProtocolAddress address);

  /** Deletes every session (key renewal). */
  void deleteAllSessions();
}
