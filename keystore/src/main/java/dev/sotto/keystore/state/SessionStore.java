package dev.sotto.keystore.state;

import dev.sotto.keystore.ProtocolAddress;
import dev.sotto.keystore.ratchet.SessionRecord;
import java.util.Optional;

/**
 * Double Ratchet sessions: one {@link SessionRecord} (current and previous sessions) per address.
 */
public interface SessionStore {
  /** Returns a copy of the sessions with an address; changing it changes nothing stored. */
  Optional<SessionRecord> loadSession(ProtocolAddress address);

  /** Commits the sessions with an address (replacing what was stored). */
  void storeSession(ProtocolAddress address, SessionRecord record);

  /** Deletes the session with an address. */
  void deleteSession(ProtocolAddress address);

  /** Deletes every session (key renewal). */
  void deleteAllSessions();
}
