package dev.sotto.keystore.store;

import dev.sotto.keystore.InvalidKeyException;
import dev.sotto.keystore.ProtocolAddress;
import dev.sotto.keystore.codec.ByteReader;
import dev.sotto.keystore.codec.ByteWriter;
import dev.sotto.keystore.codec.MalformedException;
import dev.sotto.keystore.identity.IdentityKey;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Plaintext layouts of the client's own records (inside the sealed envelope of {@link
 * RecordCipher}). Each starts with a type byte and a version byte (1); integers are big-endian; a
 * string is {@code u16 length || UTF-8}; a byte string is {@code u32 length || bytes}.
 *
 * <pre>
 * contact      0x01 v name trust(u8) has_pending(u8) [identity key (128)] updated(u64)
 * conversation 0x02 v name last_seq(u64) unread(u32) last_activity(u64)
 * history      0x03 v conversation seq(u64) message_id(16) direction(u8) sender timestamp(u64) content
 * outbox       0x04 v seq(u64) recipient_name recipient_device(u32) message_id(16) ciphertext created(u64)
 * message      0x05 v conversation seq(u64) state(u8)
 * pin          0x06 v name device(u32) identity key (128)
 * replay       0x07 v signed_prekey_id(u32) kem_prekey_id(u32)
 * counters     0x08 v next_outbox_seq(u64)
 * pending      0x09 v seq(u64) kind(u8) peer_name peer_device(u32) message_id(16) payload created(u64)
 * </pre>
 */
final class Records {
  static final int CONTACT = 1;
  static final int CONVERSATION = 2;
  static final int HISTORY = 3;
  static final int OUTBOX = 4;
  static final int MESSAGE = 5;
  static final int PIN = 6;
  static final int REPLAY = 7;
  static final int COUNTERS = 8;
  static final int PENDING = 9;
  private static final int VERSION = 1;
  private static final int MAX_NAME_BYTES = 1024;

  private Records() {}

  /** A message's place in the history, and its state. */
  record MessageRef(String conversation, long seq, MessageState state) {}

  /** A pinned identity and the address it is pinned for. */
  record Pin(ProtocolAddress address, IdentityKey identity) {}

  /** The prekeys a replay id used. */
  record ReplayOwners(int signedPreKeyId, int kemPreKeyId) {}

  // ------------------------------------------------------------------ encoders

  static byte[] contact(Contact c) {
    ByteWriter w = start(CONTACT, 64);
    string(w, c.name());
    w.u8(c.trust().ordinal());
    w.u8(c.pendingIdentity().isPresent() ? 1 : 0);
    c.pendingIdentity().ifPresent(k -> w.bytes(k.serialize()));
    return w.u64(c.updatedAtMillis()).toByteArray();
  }

  static byte[] conversation(Conversation c) {
    ByteWriter w = start(CONVERSATION, 48);
    string(w, c.name());
    return w.u64(c.lastSeq()).u32(c.unread()).u64(c.lastActivityMillis()).toByteArray();
  }

  static byte[] history(HistoryEntry h) {
    byte[] content = h.content();
    ByteWriter w = start(HISTORY, 64 + content.length);
    string(w, h.conversation());
    w.u64(h.seq()).bytes(h.messageId()).u8(h.direction().ordinal());
    string(w, h.sender());
    w.u64(h.timestampMillis()).u32(content.length).bytes(content);
    return w.toByteArray();
  }

  static byte[] outbox(OutboxEntry o) {
    byte[] ct = o.ciphertext();
    ByteWriter w = start(OUTBOX, 64 + ct.length);
    w.u64(o.seq());
    string(w, o.recipient().name());
    w.u32(o.recipient().deviceId()).bytes(o.messageId()).u32(ct.length).bytes(ct);
    return w.u64(o.createdAtMillis()).toByteArray();
  }

  static byte[] message(MessageRef m) {
    ByteWriter w = start(MESSAGE, 32);
    string(w, m.conversation());
    return w.u64(m.seq()).u8(m.state().ordinal()).toByteArray();
  }

  static byte[] pin(Pin p) {
    ByteWriter w = start(PIN, 160);
    string(w, p.address().name());
    return w.u32(p.address().deviceId()).bytes(p.identity().serialize()).toByteArray();
  }

  static byte[] replay(ReplayOwners r) {
    return start(REPLAY, 10).u32(r.signedPreKeyId()).u32(r.kemPreKeyId()).toByteArray();
  }

  static byte[] pending(PendingEntry p) {
    byte[] payload = p.payload();
    ByteWriter w = start(PENDING, 64 + payload.length);
    w.u64(p.seq()).u8(p.kind().ordinal());
    string(w, p.peer().name());
    w.u32(p.peer().deviceId()).bytes(p.messageId()).u32(payload.length).bytes(payload);
    return w.u64(p.createdAtMillis()).toByteArray();
  }

  static byte[] counters(long nextOutboxSeq) {
    return start(COUNTERS, 10).u64(nextOutboxSeq).toByteArray();
  }

  // ------------------------------------------------------------------ decoders

  static Contact decodeContact(byte[] b) throws CorruptedStoreException {
    try {
      ByteReader r = open(b, CONTACT, "contact");
      String name = string(r);
      TrustState trust = enumValue(TrustState.values(), r.u8(), "trust state");
      int has = r.u8();
      Optional<IdentityKey> pending;
      if (has == 0) {
        pending = Optional.empty();
      } else if (has == 1) {
        pending = Optional.of(identity(r));
      } else {
        throw new CorruptedStoreException("contact record: bad flag " + has);
      }
      long updated = r.u64();
      r.end();
      return new Contact(name, trust, pending, updated);
    } catch (MalformedException | IllegalArgumentException e) {
      throw bad("contact", e);
    }
  }

  static Conversation decodeConversation(byte[] b) throws CorruptedStoreException {
    try {
      ByteReader r = open(b, CONVERSATION, "conversation");
      Conversation c = new Conversation(string(r), r.u64(), r.u32(), r.u64());
      r.end();
      return c;
    } catch (MalformedException | IllegalArgumentException e) {
      throw bad("conversation", e);
    }
  }

  static HistoryEntry decodeHistory(byte[] b) throws CorruptedStoreException {
    try {
      ByteReader r = open(b, HISTORY, "history");
      String conversation = string(r);
      long seq = r.u64();
      byte[] id = r.bytes(HistoryEntry.MESSAGE_ID_LENGTH);
      Direction direction = enumValue(Direction.values(), r.u8(), "direction");
      String sender = string(r);
      long ts = r.u64();
      byte[] content = r.bytes(r.u32());
      r.end();
      return new HistoryEntry(conversation, seq, id, direction, sender, ts, content);
    } catch (MalformedException | IllegalArgumentException e) {
      throw bad("history", e);
    }
  }

  static OutboxEntry decodeOutbox(byte[] b) throws CorruptedStoreException {
    try {
      ByteReader r = open(b, OUTBOX, "outbox");
      long seq = r.u64();
      ProtocolAddress to = new ProtocolAddress(string(r), r.u32());
      byte[] id = r.bytes(HistoryEntry.MESSAGE_ID_LENGTH);
      byte[] ct = r.bytes(r.u32());
      long created = r.u64();
      r.end();
      return new OutboxEntry(seq, to, id, ct, created);
    } catch (MalformedException | IllegalArgumentException e) {
      throw bad("outbox", e);
    }
  }

  static PendingEntry decodePending(byte[] b) throws CorruptedStoreException {
    try {
      ByteReader r = open(b, PENDING, "pending");
      long seq = r.u64();
      PendingEntry.Kind kind = enumValue(PendingEntry.Kind.values(), r.u8(), "pending kind");
      ProtocolAddress peer = new ProtocolAddress(string(r), r.u32());
      byte[] id = r.bytes(HistoryEntry.MESSAGE_ID_LENGTH);
      byte[] payload = r.bytes(r.u32());
      long created = r.u64();
      r.end();
      return new PendingEntry(seq, kind, peer, id, payload, created);
    } catch (MalformedException | IllegalArgumentException e) {
      throw bad("pending", e);
    }
  }

  static MessageRef decodeMessage(byte[] b) throws CorruptedStoreException {
    try {
      ByteReader r = open(b, MESSAGE, "message");
      MessageRef m =
          new MessageRef(string(r), r.u64(), enumValue(MessageState.values(), r.u8(), "state"));
      r.end();
      return m;
    } catch (MalformedException | IllegalArgumentException e) {
      throw bad("message", e);
    }
  }

  static Pin decodePin(byte[] b) throws CorruptedStoreException {
    try {
      ByteReader r = open(b, PIN, "pin");
      Pin p = new Pin(new ProtocolAddress(string(r), r.u32()), identity(r));
      r.end();
      return p;
    } catch (MalformedException | IllegalArgumentException e) {
      throw bad("pin", e);
    }
  }

  static ReplayOwners decodeReplay(byte[] b) throws CorruptedStoreException {
    try {
      ByteReader r = open(b, REPLAY, "replay");
      ReplayOwners o = new ReplayOwners(r.u32(), r.u32());
      r.end();
      return o;
    } catch (MalformedException e) {
      throw bad("replay", e);
    }
  }

  static long decodeCounters(byte[] b) throws CorruptedStoreException {
    try {
      ByteReader r = open(b, COUNTERS, "counters");
      long next = r.u64();
      r.end();
      if (next < 1) {
        throw new CorruptedStoreException("counters record: next outbox seq " + next);
      }
      return next;
    } catch (MalformedException e) {
      throw bad("counters", e);
    }
  }

  // ------------------------------------------------------------------ helpers

  private static ByteWriter start(int type, int size) {
    return new ByteWriter(size).u8(type).u8(VERSION);
  }

  private static ByteReader open(byte[] b, int type, String what) throws CorruptedStoreException {
    ByteReader r = new ByteReader(b);
    int t = r.u8();
    int v = r.u8();
    if (t != type || v != VERSION) {
      throw new CorruptedStoreException(
          what + " record: expected type " + type + " version " + VERSION + ", got " + t + "/" + v);
    }
    return r;
  }

  private static void string(ByteWriter w, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length > MAX_NAME_BYTES) {
      throw new IllegalArgumentException(
          "expected a name of at most " + MAX_NAME_BYTES + " UTF-8 bytes, got " + b.length);
    }
    w.u16(b.length).bytes(b);
  }

  private static String string(ByteReader r) {
    int n = r.u16();
    if (n > MAX_NAME_BYTES) {
      throw new MalformedException("name of " + n + " bytes");
    }
    return new String(r.bytes(n), StandardCharsets.UTF_8);
  }

  private static IdentityKey identity(ByteReader r) throws CorruptedStoreException {
    try {
      return IdentityKey.decode(r.bytes(IdentityKey.LENGTH));
    } catch (InvalidKeyException e) {
      throw new CorruptedStoreException("stored identity key does not verify: " + e.getMessage());
    }
  }

  private static <E extends Enum<E>> E enumValue(E[] values, int ordinal, String what) {
    if (ordinal >= values.length) {
      throw new MalformedException("unknown " + what + " " + ordinal);
    }
    return values[ordinal];
  }

  private static CorruptedStoreException bad(String what, RuntimeException e) {
    return new CorruptedStoreException(what + " record: " + e.getMessage());
  }
}
