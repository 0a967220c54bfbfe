package dev.sotto.keystore.ratchet;

import dev.sotto.keystore.InvalidRecordException;
import dev.sotto.keystore.codec.ByteReader;
import dev.sotto.keystore.codec.ByteWriter;
import dev.sotto.keystore.codec.MalformedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything kept for one address: the current session and up to {@value #MAX_PREVIOUS} previous
 * ones, newest first. Previous sessions are tried when the current one cannot decrypt a message, as
 * libsignal does, so two users who start sessions with each other at the same time, or a first
 * message that arrives after a newer session, still converge: a session that decrypts is promoted
 * to current.
 *
 * <p>Record layout: {@code 0x73 || 0x01 || u8(count, 1 + previous) || (u32(length) || session
 * record) each, current first}.
 */
public final class SessionRecord {
  /** How many previous sessions are kept. */
  public static final int MAX_PREVIOUS = 2;

  private static final int TYPE = 0x73;
  private static final int VERSION = 0x01;
  private static final int MAX_STATE_LENGTH = 1 << 20;

  private SessionState current;
  private final List<SessionState> previous = new ArrayList<>();

  private SessionRecord(SessionState current) {
    this.current = Objects.requireNonNull(current);
  }

  /** Returns a record holding only {@code current}. */
  public static SessionRecord of(SessionState current) {
    return new SessionRecord(current);
  }

  /** Returns the current session (the one that encrypts). */
  public SessionState current() {
    return current;
  }

  /** Returns the previous sessions, newest first. */
  public List<SessionState> previousStates() {
    return List.copyOf(previous);
  }

  /** Makes {@code state} current and archives the old current one (dropping the oldest). */
  public void archiveCurrentAndSet(SessionState state) {
    previous.add(0, current);
    current = Objects.requireNonNull(state);
    while (previous.size() > MAX_PREVIOUS) {
      previous.remove(previous.size() - 1);
    }
  }

  /** Replaces the current session with an updated copy of it. */
  public void replaceCurrent(SessionState state) {
    current = Objects.requireNonNull(state);
  }

  /** Promotes an updated copy of {@code previousStates().get(index)} to current. */
  public void promotePrevious(int index, SessionState updated) {
    previous.remove(index);
    archiveCurrentAndSet(updated);
  }

  /** Returns a deep copy. */
  public SessionRecord copy() {
    SessionRecord c = new SessionRecord(current.copy());
    for (SessionState s : previous) {
      c.previous.add(s.copy());
    }
    return c;
  }

  /** Returns the record bytes. */
  public byte[] serialize() {
    ByteWriter w = new ByteWriter(2048);
    w.u8(TYPE).u8(VERSION).u8(1 + previous.size());
    byte[] c = current.serialize();
    w.u32(c.length).bytes(c);
    for (SessionState s : previous) {
      byte[] b = s.serialize();
      w.u32(b.length).bytes(b);
    }
    return w.toByteArray();
  }

  /**
   * Parses a record strictly.
   *
   * @throws InvalidRecordException if the bytes are not a session record
   */
  public static SessionRecord deserialize(byte[] bytes) throws InvalidRecordException {
    try {
      ByteReader r = new ByteReader(bytes);
      if (r.u8() != TYPE || r.u8() != VERSION) {
        throw new InvalidRecordException("not a session list record (type or version)");
      }
      int count = r.u8();
      if (count < 1 || count > 1 + MAX_PREVIOUS) {
        throw new InvalidRecordException("session list record has " + count + " sessions");
      }
      SessionRecord record = null;
      for (int i = 0; i < count; i++) {
        int length = r.u32();
        if (length < 0 || length > MAX_STATE_LENGTH) {
          throw new InvalidRecordException("session list record has an invalid length");
        }
        SessionState s = SessionState.deserialize(r.bytes(length));
        if (record == null) {
          record = new SessionRecord(s);
        } else {
          record.previous.add(s);
        }
      }
      r.end();
      return record;
    } catch (MalformedException e) {
      throw new InvalidRecordException("session list record: " + e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "SessionRecord[previous=" + previous.size() + "]";
  }
}
