package dev.sotto.keystore.store;

import dev.sotto.keystore.InvalidRecordException;
import dev.sotto.keystore.ProtocolAddress;
import dev.sotto.keystore.codec.ByteWriter;
import dev.sotto.keystore.identity.IdentityKey;
import dev.sotto.keystore.identity.IdentityKeyPair;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Typed reads over opened (plaintext) records: the durable state ({@link LocalStore}) or the
 * durable state with a transaction's staged writes on top ({@link Transaction}). Map names and key
 * layouts of the local store are defined here.
 */
abstract class RecordView {
  static final String META = "meta";
  static final String IDENTITY = "identity";
  static final String PIN = "pin";
  static final String PREKEY = "prekey";
  static final String SIGNED_PREKEY = "spk";
  static final String KEM_PREKEY = "kem";
  static final String SESSION = "session";
  static final String REPLAY = "replay";
  static final String CONTACT = "contact";
  static final String CONVERSATION = "conv";
  static final String HISTORY = "history";
  static final String MESSAGE = "msg";
  static final String OUTBOX = "outbox";
  static final String PENDING = "pending";

  /** Every map a store may hold, in the order a consistency check walks them. */
  static final List<String> MAPS =
      List.of(
          META,
          IDENTITY,
          PIN,
          PREKEY,
          SIGNED_PREKEY,
          KEM_PREKEY,
          SESSION,
          REPLAY,
          CONTACT,
          CONVERSATION,
          HISTORY,
          MESSAGE,
          OUTBOX,
          PENDING);

  static final byte[] HEADER_KEY = ascii("header");
  static final byte[] COUNTERS_KEY = ascii("counters");
  static final byte[] SELF_KEY = ascii("self");

  /** History entries per scanned bucket: keys share all but the last byte of the sequence. */
  static final int BUCKET = 256;

  /** The most entries one history read returns. */
  static final int MAX_HISTORY_LIMIT = 10_000;

  /** One opened record. */
  record Plain(byte[] key, byte[] value) {}

  final RecordCipher cipher;

  RecordView(RecordCipher cipher) {
    this.cipher = cipher;
  }

  /** The opened value of a record, if present. */
  abstract Optional<byte[]> get(String map, byte[] key) throws LocalStoreException;

  /** Up to {@code limit} opened records whose key starts with {@code prefix}, in key order. */
  abstract List<Plain> scan(String map, byte[] prefix, int limit) throws LocalStoreException;

  /** The keys of every record in {@code map}, in key order, without opening the records. */
  abstract List<byte[]> keys(String map) throws LocalStoreException;

  // ------------------------------------------------------------------ keys

  static byte[] intKey(int id) {
    return ByteBuffer.allocate(4).putInt(id).array();
  }

  static byte[] longKey(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  byte[] addressKey(String kind, ProtocolAddress a) {
    return cipher.tag(kind, a.name() + "\u0000" + a.deviceId());
  }

  byte[] conversationTag(String conversation) {
    return cipher.tag(CONVERSATION, conversation);
  }

  byte[] historyKey(String conversation, long seq) {
    return ByteWriter.concat(conversationTag(conversation), longKey(seq));
  }

  byte[] messageKey(byte[] messageId) {
    return cipher.tag(MESSAGE, messageId);
  }

  // ------------------------------------------------------------------ typed reads

  IdentityKeyPair identityKeyPair() throws LocalStoreException {
    byte[] b =
        get(IDENTITY, SELF_KEY)
            .orElseThrow(
                () -> new CorruptedStoreException("the local store has lost its identity record"));
    try {
      return IdentityKeyPair.deserialize(b);
    } catch (InvalidRecordException e) {
      throw new CorruptedStoreException("identity record: " + e.getMessage());
    }
  }

  Optional<IdentityKey> pinnedIdentity(ProtocolAddress address) throws LocalStoreException {
    Optional<byte[]> b = get(PIN, addressKey(PIN, address));
    if (b.isEmpty()) {
      return Optional.empty();
    }
    Records.Pin p = Records.decodePin(b.get());
    if (!p.address().equals(address)) {
      throw new CorruptedStoreException("pin record names another address");
    }
    return Optional.of(p.identity());
  }

  Optional<Contact> contact(String name) throws LocalStoreException {
    Optional<byte[]> b = get(CONTACT, cipher.tag(CONTACT, name));
    if (b.isEmpty()) {
      return Optional.empty();
    }
    Contact c = Records.decodeContact(b.get());
    if (!c.name().equals(name)) {
      throw new CorruptedStoreException("contact record names another contact");
    }
    return Optional.of(c);
  }

  List<Contact> contacts() throws LocalStoreException {
    List<Contact> out = new ArrayList<>();
    for (Plain p : scan(CONTACT, new byte[0], Integer.MAX_VALUE)) {
      out.add(Records.decodeContact(p.value()));
    }
    out.sort((a, b) -> a.name().compareTo(b.name()));
    return List.copyOf(out);
  }

  Optional<Conversation> conversation(String name) throws LocalStoreException {
    Optional<byte[]> b = get(CONVERSATION, conversationTag(name));
    if (b.isEmpty()) {
      return Optional.empty();
    }
    Conversation c = Records.decodeConversation(b.get());
    if (!c.name().equals(name)) {
      throw new CorruptedStoreException("conversation record names another conversation");
    }
    return Optional.of(c);
  }

  List<Conversation> conversations() throws LocalStoreException {
    List<Conversation> out = new ArrayList<>();
    for (Plain p : scan(CONVERSATION, new byte[0], Integer.MAX_VALUE)) {
      out.add(Records.decodeConversation(p.value()));
    }
    out.sort(
        (a, b) ->
            a.lastActivityMillis() != b.lastActivityMillis()
                ? Long.compare(b.lastActivityMillis(), a.lastActivityMillis())
                : a.name().compareTo(b.name()));
    return List.copyOf(out);
  }

  List<HistoryEntry> history(String conversation, long beforeSeq, int limit)
      throws LocalStoreException {
    if (limit < 0 || limit > MAX_HISTORY_LIMIT) {
      throw new IllegalArgumentException(
          "expected a limit of 0.." + MAX_HISTORY_LIMIT + ", got " + limit);
    }
    Optional<Conversation> c = conversation(conversation);
    List<HistoryEntry> out = new ArrayList<>(Math.min(limit, 256));
    if (c.isEmpty() || limit == 0 || beforeSeq <= 1) {
      return List.of();
    }
    long top = Math.min(beforeSeq - 1, c.get().lastSeq());
    byte[] tag = conversationTag(conversation);
    for (long bucket = top / BUCKET; bucket >= 0 && out.size() < limit; bucket--) {
      byte[] prefix = ByteWriter.concat(tag, Arrays.copyOf(longKey(bucket * BUCKET), 7));
      List<Plain> rows = scan(HISTORY, prefix, BUCKET);
      for (int i = rows.size() - 1; i >= 0 && out.size() < limit; i--) {
        long seq = ByteBuffer.wrap(rows.get(i).key(), tag.length, 8).getLong();
        if (seq > top) {
          continue;
        }
        HistoryEntry h = Records.decodeHistory(rows.get(i).value());
        if (h.seq() != seq || !h.conversation().equals(conversation)) {
          throw new CorruptedStoreException("history record is not at its place");
        }
        out.add(h);
      }
    }
    return List.copyOf(out);
  }

  Optional<Records.MessageRef> messageRef(byte[] messageId) throws LocalStoreException {
    HistoryEntry.checkMessageId(messageId);
    Optional<byte[]> b = get(MESSAGE, messageKey(messageId));
    return b.isEmpty() ? Optional.empty() : Optional.of(Records.decodeMessage(b.get()));
  }

  Optional<HistoryEntry> historyByMessageId(byte[] messageId) throws LocalStoreException {
    Optional<Records.MessageRef> ref = messageRef(messageId);
    if (ref.isEmpty()) {
      return Optional.empty();
    }
    Optional<byte[]> b = get(HISTORY, historyKey(ref.get().conversation(), ref.get().seq()));
    if (b.isEmpty()) {
      throw new CorruptedStoreException("a message index entry points at a missing history row");
    }
    HistoryEntry h = Records.decodeHistory(b.get());
    if (!Arrays.equals(h.messageId(), messageId)) {
      throw new CorruptedStoreException("a message index entry points at another message");
    }
    return Optional.of(h);
  }

  List<OutboxEntry> outbox(int limit) throws LocalStoreException {
    return queue(OUTBOX, limit, Records::decodeOutbox, OutboxEntry::seq);
  }

  List<PendingEntry> pending(int limit) throws LocalStoreException {
    return queue(PENDING, limit, Records::decodePending, PendingEntry::seq);
  }

  /** Decodes a record of a queue map. */
  @FunctionalInterface
  interface QueueDecoder<T> {
    T decode(byte[] plain) throws CorruptedStoreException;
  }

  /** Up to {@code limit} rows of a map keyed by sequence number, oldest first, each checked. */
  private <T> List<T> queue(
      String map, int limit, QueueDecoder<T> decoder, java.util.function.ToLongFunction<T> seq)
      throws LocalStoreException {
    if (limit < 0) {
      throw new IllegalArgumentException("expected a limit >= 0, got " + limit);
    }
    List<T> out = new ArrayList<>();
    for (Plain p : scan(map, new byte[0], limit)) {
      T e = decoder.decode(p.value());
      if (!Arrays.equals(longKey(seq.applyAsLong(e)), p.key())) {
        throw new CorruptedStoreException(map + " record is not at its place");
      }
      out.add(e);
    }
    return List.copyOf(out);
  }

  long nextOutboxSeq() throws LocalStoreException {
    Optional<byte[]> b = get(META, COUNTERS_KEY);
    if (b.isEmpty()) {
      throw new CorruptedStoreException("the local store has lost its counters record");
    }
    return Records.decodeCounters(b.get());
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
