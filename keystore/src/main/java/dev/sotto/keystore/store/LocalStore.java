package dev.sotto.keystore.store;

import dev.sotto.keystore.DuplicateMessageException;
import dev.sotto.keystore.InvalidMessageException;
import dev.sotto.keystore.KeyRenewal;
import dev.sotto.keystore.NoSessionException;
import dev.sotto.keystore.ProtocolAddress;
import dev.sotto.keystore.UntrustedIdentityException;
import dev.sotto.keystore.identity.IdentityKey;
import dev.sotto.keystore.identity.IdentityKeyPair;
import dev.sotto.keystore.prekey.PreKeySet;
import dev.sotto.keystore.state.ReplayCacheStore;
import dev.sotto.store.Batch;
import dev.sotto.store.JournaledStore;
import dev.sotto.store.RecoveryReport;
import dev.sotto.store.Store;
import dev.sotto.store.StoreException;
import dev.sotto.store.StoreOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's encrypted local store: identity, prekeys, sessions, pinned identities, contacts,
 * history, unread counts, message states and the outbox, in a {@link JournaledStore} directory.
 *
 * <p><b>Encryption.</b> A random 32-byte data key is made at {@link #create} and kept wrapped by
 * {@code store_key} (AES-256-GCM) in a small header record ({@code StoreHeader}: format version,
 * store id, a check value of the store key, the wrapped key). Every other record is sealed with
 * AES-256-GCM under a key derived from the data key, with a random 96-bit nonce and the record's
 * place (map name and key) as associated data, so a record cannot be swapped with another. Keys
 * that would name a person or a message are keyed hashes ({@code RecordCipher}). A wrong store key
 * gives {@link WrongStoreKeyException}; a record that does not authenticate or parse gives {@link
 * CorruptedStoreException}; neither is ever silently accepted. {@link #changeStoreKey} re-wraps the
 * data key only, in one atomic write.
 *
 * <p><b>Order of durable steps</b> (DESIGN.md). All writes go through a {@link Transaction}: the
 * engine ({@link Transaction#sessionCipher()}, {@link Transaction#sessionBuilder()}) works on the
 * transaction's view, so its state changes stay staged until {@link Transaction#commit()} writes
 * them, together with the client's rows, as one journal batch, and returns only once it is on disk.
 * A transaction closed without commit changes nothing.
 *
 * <pre>{@code
 * // receive: decrypt, then ONE commit (session, history, unread), then display, then ack
 * Optional<HistoryEntry> shown = store.decryptAndCommit(from, conversation, id, ciphertext, now);
 * shown.ifPresent(ui::display);   // empty: a redelivery, already committed and shown
 * ack(id);
 *
 * // send: encrypt, then commit the state together with the outbox row, then send
 * OutboxEntry e = store.encryptAndCommit(to, conversation, id, me, content, now);
 * send(e);                        // after a reconnect: resend store.outbox(n) as they are
 * store.markSent(e);              // on the server's ack
 *
 * // anything else (session set-up, trust decisions, several kinds at once): a Transaction
 * try (Transaction tx = store.begin()) {
 *   tx.sessionBuilder().process(address, bundle);
 *   tx.putContact(contact);
 *   tx.commit();                  // one durable batch; close without commit changes nothing
 * }
 * }</pre>
 *
 * So a crash can neither reuse a message key (the ciphertext is sent only after the advanced state
 * is durable, and resent byte for byte from the outbox), nor show a message twice (the history row
 * and the ratchet state move together; a redelivered message is found by {@link
 * #historyByMessageId}), nor lose an acknowledged one (the ack follows the commit).
 *
 * <p><b>Processes and threads.</b> One process at a time holds a store: a second open gets {@link
 * StoreLockedException} naming the holder. Transactions are serialized: {@link #begin} waits for
 * the open one to finish. Reads outside a transaction see committed state only and may run on any
 * thread.
 *
 * <p><b>Limits.</b> Rolling the files back to an earlier complete state (an old copy) is not
 * detected: nothing outside the directory records how far it had come. The files show, without the
 * key, the number and sizes of records per kind, how many contacts and conversations there are and
 * how many messages each conversation holds (sequence numbers in keys); not who the contacts are,
 * nor any content. A torn journal tail (a write the crash interrupted, never acknowledged) is cut
 * off by the store and reported in {@link #recovery()}.
 */
public final class LocalStore extends RecordView implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(LocalStore.class);

  private final Path dir;
  private final JournaledStore store;
  private final SecureRandom random;
  private final ReentrantLock transactions = new ReentrantLock(true);
  private final byte[] dataKey;
  private final byte[] storeId;
  private volatile int replayCacheCapacity = ReplayCacheStore.DEFAULT_CAPACITY;

  private LocalStore(
      Path dir, JournaledStore store, byte[] dataKey, byte[] storeId, SecureRandom random) {
    super(new RecordCipher(dataKey, random));
    this.dir = dir;
    this.store = store;
    this.dataKey = dataKey;
    this.storeId = storeId;
    this.random = random;
  }

  /**
   * Creates a store in {@code dir} holding {@code identity}, with product store options. The
   * header, the identity and the counters are written in one atomic batch: a crash during create
   * leaves either a complete store or none.
   *
   * @param storeKey the 32-byte {@code store_key} (DESIGN.md "Accounts"); not kept after wrapping
   * @throws StoreLockedException if another process holds the directory
   * @throws LocalStoreException if a store already exists there, or it cannot be written
   */
  public static LocalStore create(Path dir, byte[] storeKey, IdentityKeyPair identity)
      throws LocalStoreException {
    return create(dir, storeKey, identity, StoreOptions.defaults(), new SecureRandom());
  }

  /**
   * Creates a store as {@link #create(Path, byte[], IdentityKeyPair)} does, with chosen options and
   * randomness.
   */
  public static LocalStore create(
      Path dir,
      byte[] storeKey,
      IdentityKeyPair identity,
      StoreOptions options,
      SecureRandom random)
      throws LocalStoreException {
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(random, "random");
    byte[] dataKey = new byte[StoreHeader.KEY_LENGTH];
    byte[] storeId = new byte[16];
    random.nextBytes(dataKey);
    random.nextBytes(storeId);
    StoreHeader header = StoreHeader.wrap(storeKey, storeId, dataKey, random);
    JournaledStore js = openJournaled(dir, options);
    LocalStore ls = new LocalStore(dir, js, dataKey, storeId, random);
    try {
      if (js.get(META, HEADER_KEY).isPresent()) {
        throw new LocalStoreException("a local store already exists in " + dir);
      }
      if (ls.anyRecord()) {
        throw new CorruptedStoreException(
            "the directory " + dir + " holds records but no local store header");
      }
      Batch batch = new Batch().put(META, HEADER_KEY, header.encode());
      batch.put(IDENTITY, SELF_KEY, ls.cipher.seal(IDENTITY, SELF_KEY, identity.serialize()));
      batch.put(META, COUNTERS_KEY, ls.cipher.seal(META, COUNTERS_KEY, Records.counters(1)));
      ls.write(batch);
      logger.info("created local store {}", dir);
      return ls;
    } catch (LocalStoreException | RuntimeException e) {
      js.close();
      throw e;
    }
  }

  /**
   * Opens the store in {@code dir} with product store options.
   *
   * @throws NoLocalStoreException if there is none (never created, or its creation did not finish)
   * @throws WrongStoreKeyException if {@code storeKey} does not open it: "wrong password for this
   *     local store"
   * @throws CorruptedStoreException if its header or identity is damaged or missing
   * @throws StoreLockedException if another process holds it (the message names the holder)
   * @throws LocalStoreException if it cannot be read
   */
  public static LocalStore open(Path dir, byte[] storeKey) throws LocalStoreException {
    return open(dir, storeKey, StoreOptions.defaults(), new SecureRandom());
  }

  /** Opens a store as {@link #open(Path, byte[])} does, with chosen options and randomness. */
  public static LocalStore open(
      Path dir, byte[] storeKey, StoreOptions options, SecureRandom random)
      throws LocalStoreException {
    Objects.requireNonNull(storeKey, "storeKey");
    Objects.requireNonNull(random, "random");
    if (!Files.isDirectory(dir)) {
      throw new NoLocalStoreException("there is no local store in " + dir);
    }
    JournaledStore js = openJournaled(dir, options);
    try {
      Optional<byte[]> raw = js.get(META, HEADER_KEY);
      if (raw.isEmpty()) {
        LocalStore probe = new LocalStore(dir, js, new byte[32], new byte[16], random);
        RecoveryReport r = js.recovery();
        // The header is in the first batch the journal ever holds (create), so a journal without
        // any record, and nothing cut from it, never had a store: a kill -9 during the first
        // open, while MapDB made its files, leaves them unreadable and the next open rebuilds
        // them from that empty journal (that rebuild alone is no sign of a lost header).
        if (probe.anyRecord() || r.journalRecords() > 0 || r.truncatedBytes() > 0) {
          throw new CorruptedStoreException(
              "the local store in "
                  + dir
                  + " has lost its header (truncated or damaged files"
                  + (r.rebuilt() ? "; its state was rebuilt from a journal without it" : "")
                  + ")");
        }
        throw new NoLocalStoreException("there is no local store in " + dir);
      }
      StoreHeader header = StoreHeader.parse(raw.get());
      byte[] dataKey = header.unwrap(storeKey, dir.toString());
      LocalStore ls = new LocalStore(dir, js, dataKey, header.storeId(), random);
      ls.identityKeyPair();
      ls.nextOutboxSeq();
      RecoveryReport r = js.recovery();
      logger.info(
          "opened local store {} (clean={}, torn bytes cut={})",
          dir,
          r.cleanShutdown(),
          r.truncatedBytes());
      return ls;
    } catch (LocalStoreException | RuntimeException e) {
      js.close();
      throw e;
    }
  }

  private static JournaledStore openJournaled(Path dir, StoreOptions options)
      throws LocalStoreException {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(options, "options");
    try {
      return JournaledStore.open(dir, options);
    } catch (StoreException e) {
      String m = String.valueOf(e.getMessage());
      if (m.contains("locked by another process") || m.contains("already open in this process")) {
        throw new StoreLockedException(
            "the local store is in use by another Sotto client: " + m, e);
      }
      if (m.contains("refusing to open") || m.contains("not a Sotto journal")) {
        throw new CorruptedStoreException(
            "the local store in " + dir + " is corrupted and was not opened: " + m, e);
      }
      throw new LocalStoreException("cannot open the local store in " + dir + ": " + m, e);
    }
  }

  private boolean anyRecord() {
    for (String map : MAPS) {
      if (!store.scan(map, new byte[0], 1).isEmpty()) {
        return true;
      }
    }
    return false;
  }

  // ------------------------------------------------------------------ transactions

  /**
   * Starts a transaction, waiting for the one open on another thread to finish. Use it in
   * try-with-resources; a transaction closed without {@link Transaction#commit()} changes nothing.
   *
   * @throws IllegalStateException if this thread already has a transaction open
   */
  public Transaction begin() {
    if (transactions.isHeldByCurrentThread()) {
      throw new IllegalStateException("this thread already has a transaction open on " + dir);
    }
    transactions.lock();
    return new Transaction(this, transactions);
  }

  // ------------------------------------------------------------------ the durable steps

  /**
   * The send path in one call: encrypts {@code content} for {@code to}, then commits the advanced
   * session, the history row ({@link Direction#OUTGOING}, state {@link MessageState#PENDING}) and
   * the outbox row as one durable batch. Send the returned entry's ciphertext only after this
   * returns; on the server's ack call {@link #markSent}.
   *
   * @param conversation the conversation the history row goes to (the peer's name for a chat)
   * @param messageId 16 random bytes
   * @param me this user's account name, recorded as the sender
   * @throws NoSessionException if there is no session with {@code to}
   * @throws UntrustedIdentityException if {@code to}'s identity changed and was not accepted
   * @throws LocalStoreException if the commit failed; then nothing was changed and nothing may be
   *     sent
   */
  public OutboxEntry encryptAndCommit(
      ProtocolAddress to,
      String conversation,
      byte[] messageId,
      String me,
      byte[] content,
      long nowMillis)
      throws NoSessionException, UntrustedIdentityException, LocalStoreException {
    try (Transaction tx = begin()) {
      byte[] ciphertext = tx.sessionCipher().encrypt(to, content);
      tx.appendHistory(conversation, messageId, Direction.OUTGOING, me, nowMillis, content);
      OutboxEntry e = tx.addToOutbox(to, messageId, ciphertext, nowMillis);
      tx.commit();
      return e;
    } catch (UncheckedLocalStoreException e) {
      throw e.getCause();
    }
  }

  /**
   * The receive path in one call: if {@code messageId} is already stored (a redelivery after a
   * crash or a lost ack) returns empty, and the caller only acks; else decrypts, then commits the
   * advanced session (with used prekeys, replay-cache entry, first pin), the history row ({@link
   * Direction#INCOMING}) and the incremented unread count as one durable batch, and returns the
   * entry to display. Ack the message to the server only after this returns.
   *
   * @throws InvalidMessageException if it cannot be decrypted (nothing changed: show it as such and
   *     ask for a session reset)
   * @throws DuplicateMessageException if its key was already used under another message id
   * @throws UntrustedIdentityException if the sender's identity changed and was not accepted
   * @throws NoSessionException if it is not a first message and there is no session
   * @throws LocalStoreException if the commit failed; then nothing was changed and it must not be
   *     acked
   */
  public Optional<HistoryEntry> decryptAndCommit(
      ProtocolAddress from,
      String conversation,
      byte[] messageId,
      byte[] ciphertext,
      long nowMillis)
      throws InvalidMessageException,
          DuplicateMessageException,
          UntrustedIdentityException,
          NoSessionException,
          LocalStoreException {
    try (Transaction tx = begin()) {
      if (tx.historyByMessageId(messageId).isPresent()) {
        return Optional.empty();
      }
      byte[] content = tx.sessionCipher().decrypt(from, ciphertext);
      HistoryEntry h =
          tx.appendHistory(
              conversation, messageId, Direction.INCOMING, from.name(), nowMillis, content);
      tx.commit();
      return Optional.of(h);
    } catch (UncheckedLocalStoreException e) {
      throw e.getCause();
    }
  }

  /**
   * The server acknowledged an outbox entry: removes it and sets the message's state to {@link
   * MessageState#SENT}, in one commit.
   */
  public void markSent(OutboxEntry entry) throws LocalStoreException {
    try (Transaction tx = begin()) {
      tx.removeFromOutbox(entry.seq());
      tx.setMessageState(entry.messageId(), MessageState.SENT);
      tx.commit();
    }
  }

  /** Writes one batch and waits until it is durable. */
  void write(Batch batch) throws LocalStoreException {
    try {
      store.write(batch).join();
    } catch (CompletionException | StoreException e) {
      Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      throw new LocalStoreException(
          "could not write the local store " + dir + ": " + c.getMessage(), c);
    }
  }

  SecureRandom random() {
    return random;
  }

  /** The bound on the replay cache ({@link ReplayCacheStore#capacity()}). */
  int replayCacheCapacity() {
    return replayCacheCapacity;
  }

  /** Lowers the replay-cache bound, so that tests can fill it quickly. */
  void replayCacheCapacityForTests(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("expected a capacity of at least 1, got " + capacity);
    }
    this.replayCacheCapacity = capacity;
  }

  // ------------------------------------------------------------------ renewal and password

  /**
   * Key renewal ({@code resetkeys}): in one atomic commit, replaces the identity, deletes every
   * session, prekey and replay-cache entry, and stores a new prekey set. History, contacts and
   * their pinned identities are kept. Peers will see a changed safety number.
   *
   * @param count how many one-time prekeys of each kind to make (DESIGN.md: 100)
   * @return the new prekeys, to upload with the new identity
   */
  public PreKeySet resetKeys(int count, long nowMillis) throws LocalStoreException {
    try (Transaction tx = begin()) {
      PreKeySet set;
      try {
        set = KeyRenewal.resetIdentity(tx.keyStores(), count, nowMillis, random);
      } catch (UncheckedLocalStoreException e) {
        throw e.getCause();
      }
      tx.commit();
      logger.info("renewed the identity in local store {}", dir);
      return set;
    }
  }

  /**
   * Stores every key of {@code set} in one commit (after {@link #create}, or a top-up); upload
   * their public parts only after this returns.
   */
  public void installPreKeys(PreKeySet set) throws LocalStoreException {
    try (Transaction tx = begin()) {
      KeyRenewal.install(tx.keyStores(), set);
      tx.commit();
    } catch (UncheckedLocalStoreException e) {
      throw e.getCause();
    }
  }

  /**
   * Changes the key the data key is wrapped with (a password change): writes a new header in one
   * atomic write; no other record changes.
   *
   * @param currentStoreKey the store key the store was opened with (checked again)
   * @param newStoreKey the new 32-byte store key
   * @throws WrongStoreKeyException if {@code currentStoreKey} does not open the store
   */
  public void changeStoreKey(byte[] currentStoreKey, byte[] newStoreKey)
      throws LocalStoreException {
    if (transactions.isHeldByCurrentThread()) {
      throw new IllegalStateException("commit or close the open transaction first");
    }
    transactions.lock();
    try {
      byte[] raw =
          store
              .get(META, HEADER_KEY)
              .orElseThrow(() -> new CorruptedStoreException("the local store lost its header"));
      byte[] current = StoreHeader.parse(raw).unwrap(currentStoreKey, dir.toString());
      if (!Arrays.equals(current, dataKey)) {
        throw new CorruptedStoreException("the header's data key changed under an open store");
      }
      StoreHeader next = StoreHeader.wrap(newStoreKey, storeId, dataKey, random);
      write(new Batch().put(META, HEADER_KEY, next.encode()));
      logger.info("re-wrapped the data key of local store {}", dir);
    } finally {
      transactions.unlock();
    }
  }

  // ------------------------------------------------------------------ reads (committed state)

  /** Returns our identity. */
  public IdentityKeyPair identity() throws LocalStoreException {
    return identityKeyPair();
  }

  /** Returns the identity pinned for {@code address}, if any. */
  @Override
  public Optional<IdentityKey> pinnedIdentity(ProtocolAddress address) throws LocalStoreException {
    return super.pinnedIdentity(address);
  }

  /** Returns the contact record of {@code name}, if any. */
  @Override
  public Optional<Contact> contact(String name) throws LocalStoreException {
    return super.contact(name);
  }

  /** Returns every contact record, by name. */
  @Override
  public List<Contact> contacts() throws LocalStoreException {
    return super.contacts();
  }

  /** Returns the summary of a conversation (last sequence number, unread count), if any. */
  @Override
  public Optional<Conversation> conversation(String name) throws LocalStoreException {
    return super.conversation(name);
  }

  /** Returns every conversation, most recently active first. */
  @Override
  public List<Conversation> conversations() throws LocalStoreException {
    return super.conversations();
  }

  /**
   * Returns up to {@code limit} history entries of {@code conversation} with a sequence number
   * below {@code beforeSeq}, newest first. Page backwards by passing the smallest seq returned.
   *
   * @param beforeSeq exclusive upper bound; {@code Long.MAX_VALUE} for the newest
   * @param limit at most 10,000
   */
  @Override
  public List<HistoryEntry> history(String conversation, long beforeSeq, int limit)
      throws LocalStoreException {
    return super.history(conversation, beforeSeq, limit);
  }

  /** Returns the history entry with this message id, if stored (a redelivery check). */
  @Override
  public Optional<HistoryEntry> historyByMessageId(byte[] messageId) throws LocalStoreException {
    return super.historyByMessageId(messageId);
  }

  /** Returns the state of the message with this id, if stored. */
  public Optional<MessageState> messageState(byte[] messageId) throws LocalStoreException {
    return messageRef(messageId).map(Records.MessageRef::state);
  }

  /** Returns up to {@code limit} pending entries (both kinds), oldest first. */
  @Override
  public List<PendingEntry> pending(int limit) throws LocalStoreException {
    return super.pending(limit);
  }

  /** Returns up to {@code limit} outbox entries, oldest first (the order to send them in). */
  @Override
  public List<OutboxEntry> outbox(int limit) throws LocalStoreException {
    return super.outbox(limit);
  }

  /** What opening the underlying store found (a crash recovery, a torn tail cut off). */
  public RecoveryReport recovery() {
    return store.recovery();
  }

  /** The store directory. */
  public Path directory() {
    return dir;
  }

  /**
   * Opens every record of every map and checks it authenticates and parses, for a consistency check
   * ({@code sotto doctor}) and tests. Reads each map whole into memory.
   *
   * @return how many records were checked
   * @throws CorruptedStoreException at the first bad record
   */
  public long verifyAllRecords() throws LocalStoreException {
    long n = 0;
    for (String map : MAPS) {
      List<Plain> all = scan(map, new byte[0], Integer.MAX_VALUE);
      n += all.size();
    }
    identityKeyPair();
    conversations();
    contacts();
    outbox(Integer.MAX_VALUE);
    pending(Integer.MAX_VALUE);
    return n;
  }

  /** Flushes and closes; the next open needs no recovery. */
  @Override
  public void close() {
    store.close();
    Arrays.fill(dataKey, (byte) 0);
  }

  // ------------------------------------------------------------------ RecordView

  @Override
  Optional<byte[]> get(String map, byte[] key) throws LocalStoreException {
    Optional<byte[]> sealed;
    try {
      sealed = store.get(map, key);
    } catch (StoreException e) {
      throw new LocalStoreException(
          "cannot read the local store " + dir + ": " + e.getMessage(), e);
    }
    if (sealed.isEmpty()) {
      return Optional.empty();
    }
    if (map.equals(META) && Arrays.equals(key, HEADER_KEY)) {
      return sealed;
    }
    return Optional.of(cipher.open(map, key, sealed.get()));
  }

  @Override
  List<Plain> scan(String map, byte[] prefix, int limit) throws LocalStoreException {
    List<Store.Entry> raw;
    try {
      raw = store.scan(map, prefix, limit);
    } catch (StoreException e) {
      throw new LocalStoreException(
          "cannot read the local store " + dir + ": " + e.getMessage(), e);
    }
    List<Plain> out = new ArrayList<>(raw.size());
    for (Store.Entry e : raw) {
      if (map.equals(META) && Arrays.equals(e.key(), HEADER_KEY)) {
        StoreHeader.parse(e.value());
        continue;
      }
      out.add(new Plain(e.key(), cipher.open(map, e.key(), e.value())));
    }
    return out;
  }

  @Override
  List<byte[]> keys(String map) throws LocalStoreException {
    List<Store.Entry> raw;
    try {
      raw = store.scan(map, new byte[0], Integer.MAX_VALUE);
    } catch (StoreException e) {
      throw new LocalStoreException(
          "cannot read the local store " + dir + ": " + e.getMessage(), e);
    }
    List<byte[]> out = new ArrayList<>(raw.size());
    for (Store.Entry e : raw) {
      out.add(e.key());
    }
    return out;
  }

  @Override
  public String toString() {
    return "LocalStore[" + dir + "]";
  }
}
