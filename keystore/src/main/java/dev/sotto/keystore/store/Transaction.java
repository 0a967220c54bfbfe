package dev.sotto.keystore.store;

import dev.sotto.keystore.KeyStores;
import dev.sotto.keystore.ProtocolAddress;
import dev.sotto.keystore.SessionBuilder;
import dev.sotto.keystore.SessionCipher;
import dev.sotto.keystore.identity.IdentityKey;
import dev.sotto.store.Batch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A set of writes to a {@link LocalStore} that becomes durable as one journal batch, or not at all.
 * Reads through a transaction see the committed state with the transaction's own writes on top.
 *
 * <p>The engine's stores ({@link #keyStores()}, and the {@link #sessionCipher()} and {@link
 * #sessionBuilder()} built on them) write into the transaction too: a decrypted message's new
 * ratchet state, the one-time prekeys it consumed, its replay-cache entry and a newly pinned
 * identity are committed together with its history row and unread count, or not at all. See {@link
 * LocalStore} for the order of durable steps.
 *
 * <p>Not thread-safe; one transaction at a time per store ({@link LocalStore#begin} waits). Use in
 * try-with-resources: {@link #close()} without {@link #commit()} discards every staged write.
 */
public final class Transaction extends RecordView implements AutoCloseable {
  private static final byte[] DELETED = new byte[0];

  private final LocalStore store;
  private final ReentrantLock lock;
  private final Map<String, TreeMap<byte[], byte[]>> staged = new HashMap<>();
  private final KeyStores keyStores;
  private boolean finished;
  private int ops;

  Transaction(LocalStore store, ReentrantLock lock) {
    super(store.cipher);
    this.store = store;
    this.lock = lock;
    this.keyStores = TransactionKeyStores.create(this);
  }

  /** The engine's stores over this transaction, for {@code SessionCipher}, {@code KeyRenewal}... */
  public KeyStores keyStores() {
    check();
    return keyStores;
  }

  /** A {@link SessionCipher} whose state changes are staged in this transaction. */
  public SessionCipher sessionCipher() {
    return new SessionCipher(keyStores(), store.random());
  }

  /** A {@link SessionBuilder} whose new session and pin are staged in this transaction. */
  public SessionBuilder sessionBuilder() {
    return new SessionBuilder(keyStores(), store.random());
  }

  // ------------------------------------------------------------------ client records

  /** Stages a contact record (replacing any with the same name). */
  public void putContact(Contact contact) {
    put(CONTACT, cipher.tag(CONTACT, contact.name()), Records.contact(contact));
  }

  /**
   * Stages the pin of {@code identity} for {@code address}, replacing a previous one: the user
   * accepted a changed identity ({@code trust}), or pinned one up front.
   */
  public void pinIdentity(ProtocolAddress address, IdentityKey identity) {
    keyStores().identity().pin(address, identity);
  }

  /**
   * Stages a history row at the end of {@code conversation}, its message-id index entry (state
   * {@link MessageState#RECEIVED} for incoming, {@link MessageState#PENDING} for outgoing) and the
   * conversation's summary; an incoming row also increments the unread count.
   *
   * @param messageId 16 bytes, unique per message
   * @return the entry with its sequence number
   * @throws IllegalArgumentException if the message id is already stored
   */
  public HistoryEntry appendHistory(
      String conversation,
      byte[] messageId,
      Direction direction,
      String sender,
      long timestampMillis,
      byte[] content)
      throws LocalStoreException {
    HistoryEntry.checkMessageId(messageId);
    if (messageRef(messageId).isPresent()) {
      throw new IllegalArgumentException("message id already stored in the history");
    }
    Conversation c = conversation(conversation).orElse(new Conversation(conversation, 0, 0, 0));
    long seq = c.lastSeq() + 1;
    HistoryEntry h =
        new HistoryEntry(conversation, seq, messageId, direction, sender, timestampMillis, content);
    put(HISTORY, historyKey(conversation, seq), Records.history(h));
    MessageState state =
        direction == Direction.INCOMING ? MessageState.RECEIVED : MessageState.PENDING;
    put(
        MESSAGE,
        messageKey(messageId),
        Records.message(new Records.MessageRef(conversation, seq, state)));
    int unread = c.unread() + (direction == Direction.INCOMING ? 1 : 0);
    putConversation(
        new Conversation(
            conversation, seq, unread, Math.max(timestampMillis, c.lastActivityMillis())));
    return h;
  }

  /** Sets the unread count of {@code conversation} to zero (the user has seen it). */
  public void markRead(String conversation) throws LocalStoreException {
    Optional<Conversation> c = conversation(conversation);
    if (c.isPresent() && c.get().unread() != 0) {
      Conversation v = c.get();
      putConversation(new Conversation(v.name(), v.lastSeq(), 0, v.lastActivityMillis()));
    }
  }

  /**
   * Stages a new state for a stored message.
   *
   * @return false if no message with that id is stored
   */
  public boolean setMessageState(byte[] messageId, MessageState state) throws LocalStoreException {
    Objects.requireNonNull(state, "state");
    Optional<Records.MessageRef> ref = messageRef(messageId);
    if (ref.isEmpty()) {
      return false;
    }
    Records.MessageRef r = ref.get();
    put(
        MESSAGE,
        messageKey(messageId),
        Records.message(new Records.MessageRef(r.conversation(), r.seq(), state)));
    return true;
  }

  /**
   * Stages an outbox row at the end of the outbox.
   *
   * @param ciphertext the exact bytes to send (and to resend after a reconnect)
   * @return the entry with its sequence number
   */
  public OutboxEntry addToOutbox(
      ProtocolAddress recipient, byte[] messageId, byte[] ciphertext, long createdAtMillis)
      throws LocalStoreException {
    long seq = nextOutboxSeq();
    OutboxEntry e = new OutboxEntry(seq, recipient, messageId, ciphertext, createdAtMillis);
    put(OUTBOX, longKey(seq), Records.outbox(e));
    put(META, COUNTERS_KEY, Records.counters(seq + 1));
    return e;
  }

  /** Stages the removal of an outbox row (the server acknowledged it). */
  public void removeFromOutbox(long seq) {
    delete(OUTBOX, longKey(seq));
  }

  /**
   * Stages a pending row (sealed like every record) at the end of the pending queue, numbered from
   * the outbox's sequence so that the two keep one commit order.
   *
   * @param payload the plaintext content to send, or the ciphertext as received
   * @return the entry with its sequence number
   */
  public PendingEntry addPending(
      PendingEntry.Kind kind,
      ProtocolAddress peer,
      byte[] messageId,
      byte[] payload,
      long createdAtMillis)
      throws LocalStoreException {
    long seq = nextOutboxSeq();
    PendingEntry e = new PendingEntry(seq, kind, peer, messageId, payload, createdAtMillis);
    put(PENDING, longKey(seq), Records.pending(e));
    put(META, COUNTERS_KEY, Records.counters(seq + 1));
    return e;
  }

  /** Stages the removal of a pending row (processed, or given up). */
  public void removePending(long seq) {
    delete(PENDING, longKey(seq));
  }

  // ------------------------------------------------------------------ reads

  /** Returns up to {@code limit} pending entries, oldest first, with this transaction's writes. */
  @Override
  public List<PendingEntry> pending(int limit) throws LocalStoreException {
    return super.pending(limit);
  }

  /** Returns the contact record of {@code name}, with this transaction's writes. */
  @Override
  public Optional<Contact> contact(String name) throws LocalStoreException {
    return super.contact(name);
  }

  /** Returns a conversation summary, with this transaction's writes. */
  @Override
  public Optional<Conversation> conversation(String name) throws LocalStoreException {
    return super.conversation(name);
  }

  /** Returns the history entry with this message id, with this transaction's writes. */
  @Override
  public Optional<HistoryEntry> historyByMessageId(byte[] messageId) throws LocalStoreException {
    return super.historyByMessageId(messageId);
  }

  /** Returns up to {@code limit} outbox entries, oldest first, with this transaction's writes. */
  @Override
  public List<OutboxEntry> outbox(int limit) throws LocalStoreException {
    return super.outbox(limit);
  }

  // ------------------------------------------------------------------ commit

  /**
   * Seals every staged write and journals them as one batch; returns once the batch is durable.
   * Ends the transaction whether it succeeds or not.
   *
   * @throws LocalStoreException if the write failed (disk full, I/O error, store closed); then
   *     nothing of the transaction was applied, and what the engine produced in it (a ciphertext)
   *     must not be sent
   */
  public void commit() throws LocalStoreException {
    check();
    try {
      if (ops == 0) {
        return;
      }
      Batch batch = new Batch();
      for (Map.Entry<String, TreeMap<byte[], byte[]>> m : staged.entrySet()) {
        String map = m.getKey();
        for (Map.Entry<byte[], byte[]> e : m.getValue().entrySet()) {
          if (e.getValue() == DELETED) {
            batch.delete(map, e.getKey());
          } else {
            batch.put(map, e.getKey(), cipher.seal(map, e.getKey(), e.getValue()));
          }
        }
      }
      store.write(batch);
    } finally {
      finish();
    }
  }

  /** Ends the transaction; without a prior {@link #commit()} nothing it staged is written. */
  @Override
  public void close() {
    if (!finished) {
      finish();
    }
  }

  private void finish() {
    finished = true;
    staged.clear();
    if (lock.isHeldByCurrentThread()) {
      lock.unlock();
    }
  }

  private void check() {
    if (finished) {
      throw new IllegalStateException("the transaction is already committed or closed");
    }
  }

  // ------------------------------------------------------------------ staging

  void putConversation(Conversation c) {
    put(CONVERSATION, conversationTag(c.name()), Records.conversation(c));
  }

  void put(String map, byte[] key, byte[] plaintext) {
    stage(map, key, Objects.requireNonNull(plaintext, "plaintext").clone());
  }

  void delete(String map, byte[] key) {
    stage(map, key, DELETED);
  }

  private void stage(String map, byte[] key, byte[] value) {
    check();
    TreeMap<byte[], byte[]> m =
        staged.computeIfAbsent(map, k -> new TreeMap<>(Arrays::compareUnsigned));
    if (m.put(key.clone(), value) == null) {
      ops++;
    }
  }

  @Override
  Optional<byte[]> get(String map, byte[] key) throws LocalStoreException {
    check();
    TreeMap<byte[], byte[]> m = staged.get(map);
    byte[] v = m == null ? null : m.get(key);
    if (v != null) {
      return v == DELETED ? Optional.empty() : Optional.of(v.clone());
    }
    return store.get(map, key);
  }

  @Override
  List<Plain> scan(String map, byte[] prefix, int limit) throws LocalStoreException {
    check();
    TreeMap<byte[], byte[]> m = staged.get(map);
    if (m == null || m.isEmpty()) {
      return store.scan(map, prefix, limit);
    }
    TreeMap<byte[], byte[]> mine = new TreeMap<>(Arrays::compareUnsigned);
    int deletes = 0;
    for (Map.Entry<byte[], byte[]> e : m.entrySet()) {
      if (startsWith(e.getKey(), prefix)) {
        mine.put(e.getKey(), e.getValue());
        if (e.getValue() == DELETED) {
          deletes++;
        }
      }
    }
    int durableLimit = limit > Integer.MAX_VALUE - deletes ? Integer.MAX_VALUE : limit + deletes;
    TreeMap<byte[], byte[]> merged = new TreeMap<>(Arrays::compareUnsigned);
    for (Plain p : store.scan(map, prefix, durableLimit)) {
      merged.put(p.key(), p.value());
    }
    merged.putAll(mine);
    List<Plain> out = new ArrayList<>();
    Iterator<Map.Entry<byte[], byte[]>> it = merged.entrySet().iterator();
    while (it.hasNext() && out.size() < limit) {
      Map.Entry<byte[], byte[]> e = it.next();
      if (e.getValue() != DELETED) {
        out.add(new Plain(e.getKey().clone(), e.getValue().clone()));
      }
    }
    return out;
  }

  @Override
  List<byte[]> keys(String map) throws LocalStoreException {
    check();
    TreeMap<byte[], byte[]> merged = new TreeMap<>(Arrays::compareUnsigned);
    for (byte[] k : store.keys(map)) {
      merged.put(k, k);
    }
    TreeMap<byte[], byte[]> m = staged.get(map);
    if (m != null) {
      for (Map.Entry<byte[], byte[]> e : m.entrySet()) {
        if (e.getValue() == DELETED) {
          merged.remove(e.getKey());
        } else {
          merged.put(e.getKey(), e.getKey());
        }
      }
    }
    List<byte[]> out = new ArrayList<>(merged.size());
    for (byte[] k : merged.keySet()) {
      out.add(k.clone());
    }
    return out;
  }

  /** The bound on the replay cache of this store. */
  int replayCacheCapacity() {
    return store.replayCacheCapacity();
  }

  private static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length
        && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }
}
