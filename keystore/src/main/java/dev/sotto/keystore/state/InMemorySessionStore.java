package dev.sotto.keystore.state;

import dev.sotto.keystore.InvalidRecordException;
import dev.sotto.keystore.ProtocolAddress;
import dev.sotto.keystore.ratchet.SessionRecord;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Sessions in memory as their serialized records (so loads are copies), for tests. */
public final class InMemorySessionStore implements SessionStore {
  private final Map<ProtocolAddress, byte[]> sessions = new ConcurrentHashMap<>();

  @Override
  public Optional<SessionRecord> loadSession(ProtocolAddress address) {
    byte[] b = sessions.get(address);
    try {
      return b == null ? Optional.empty() : Optional.of(SessionRecord.deserialize(b));
    } catch (InvalidRecordException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void storeSession(ProtocolAddress address, SessionRecord record) {
    sessions.put(address, record.serialize());
  }

  @Override
  public void deleteSession(ProtocolAddress address) {
    sessions.remove(address);
  }

  @Override
  public void deleteAllSessions() {
    sessions.clear();
  }

  /** Returns the stored bytes of a session (tests compare them to show state is unchanged). */
  public byte[] rawSession(ProtocolAddress address) {
    byte[] b = sessions.get(address);
    return b == null ? null : b.clone();
  }
}
