package dev.sotto.client.core.messaging;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.sotto.client.core.CertificateChangedException;
import dev.sotto.client.core.ConnectionClosedException;
import dev.sotto.client.core.InvalidInputException;
import dev.sotto.client.core.LoggedIn;
import dev.sotto.client.core.PushListener;
import dev.sotto.client.core.ServerException;
import dev.sotto.client.core.ServerTrust;
import dev.sotto.client.core.Session;
import dev.sotto.client.core.TrustPrompt;
import dev.sotto.client.core.UntrustedServerException;
import dev.sotto.keystore.DuplicateMessageException;
import dev.sotto.keystore.InvalidKeyException;
import dev.sotto.keystore.InvalidMessageException;
import dev.sotto.keystore.KeyRenewal;
import dev.sotto.keystore.NoSessionException;
import dev.sotto.keystore.ProtocolAddress;
import dev.sotto.keystore.UntrustedIdentityException;
import dev.sotto.keystore.account.AccountKeys;
import dev.sotto.keystore.fingerprint.SafetyNumber;
import dev.sotto.keystore.identity.IdentityKey;
import dev.sotto.keystore.identity.IdentityKeyPair;
import dev.sotto.keystore.pqxdh.PreKeyMessage;
import dev.sotto.keystore.prekey.KemPreKeyRecord;
import dev.sotto.keystore.prekey.PreKeyBundle;
import dev.sotto.keystore.prekey.PreKeyRecord;
import dev.sotto.keystore.prekey.PreKeySet;
import dev.sotto.keystore.prekey.SignedPreKeyRecord;
import dev.sotto.keystore.ratchet.SessionRecord;
import dev.sotto.keystore.store.Contact;
import dev.sotto.keystore.store.Conversation;
import dev.sotto.keystore.store.Direction;
import dev.sotto.keystore.store.HistoryEntry;
import dev.sotto.keystore.store.LocalStore;
import dev.sotto.keystore.store.LocalStoreException;
import dev.sotto.keystore.store.NoLocalStoreException;
import dev.sotto.keystore.store.OutboxEntry;
import dev.sotto.keystore.store.Transaction;
import dev.sotto.keystore.store.TrustState;
import dev.sotto.wire.proto.AckMessages;
import dev.sotto.wire.proto.Address;
import dev.sotto.wire.proto.Block;
import dev.sotto.wire.proto.Content;
import dev.sotto.wire.proto.Envelope;
import dev.sotto.wire.proto.EnvelopeType;
import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.FetchPreKeyBundle;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.ListUsers;
import dev.sotto.wire.proto.OneTimePreKey;
import dev.sotto.wire.proto.PreKeyBundleResponse;
import dev.sotto.wire.proto.PreKeyCount;
import dev.sotto.wire.proto.PreKeyCountRequest;
import dev.sotto.wire.proto.PresenceState;
import dev.sotto.wire.proto.Receipt;
import dev.sotto.wire.proto.SendMessage;
import dev.sotto.wire.proto.SetPresence;
import dev.sotto.wire.proto.SignedPreKey;
import dev.sotto.wire.proto.Text;
import dev.sotto.wire.proto.Unblock;
import dev.sotto.wire.proto.UploadPreKeys;
import dev.sotto.wire.proto.UserList;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An account's messaging client: the UI-free core under the TUI and the CLI. One instance per
 * logged-in account; it owns the connection, the encrypted {@link LocalStore}, the prekeys, the
 * sessions, the outbox and the receipts.
 *
 * <p><b>Life cycle.</b> {@link #login} or {@link #register} connects, logs in, opens (or creates)
 * the local store, uploads or tops up prekeys and starts receiving: the server's backlog arrives as
 * {@link MessengerEvent.BacklogSummary}, {@link MessengerEvent.MessageReceived}s and {@link
 * MessengerEvent.BacklogDone}. When the connection drops the messenger reconnects by itself with
 * exponential back-off and jitter ({@link ConnectionStatus.Reconnecting} carries the time of the
 * next attempt), logs in again with the keys derived at login (the password is not kept) and
 * resends the outbox. {@link #close()} logs out and releases the store.
 *
 * <p><b>Durable order</b> (DESIGN.md). Receive: decrypt, commit (session, history, unread count) as
 * one batch for every message that arrived together, then report, then ack to the server. Send:
 * encrypt, commit with the outbox row, then send; the outbox resends the same bytes after a
 * reconnect or restart (the server is idempotent on the message id). Delivery and read receipts are
 * end-to-end messages that travel through the outbox too.
 *
 * <p><b>Threads.</b> Every method may be called from any thread and none blocks on the network:
 * actions return futures. The read methods ({@link #conversations()}, {@link #history}) read the
 * local store (decrypting records) and so should not run on a UI thread that must never wait for a
 * disk. Listeners are called on one event thread, in order.
 *
 * <p><b>One process per store.</b> A second process (or a second messenger in this one) opening the
 * same account gets {@link dev.sotto.keystore.store.StoreLockedException} naming the holder.
 *
 * <p><b>Security.</b> Nothing this class logs contains keys, plaintext, passwords or frames; it
 * logs user names, message ids, counts and outcomes.
 */
public final class Messenger implements AutoCloseable {

  private static final Logger logger = LoggerFactory.getLogger(Messenger.class);

  /** The server asks for a top-up below this many one-time prekeys (DESIGN.md). */
  static final int PREKEY_LOW_WATER = 20;

  /** Largest text accepted by {@link #send}, in UTF-8 bytes. */
  public static final int MAX_TEXT_BYTES = 64 * 1024;

  private static final int MAX_BATCH = 256;
  private static final int MAX_ACK_IDS = 500;
  private static final int MAX_HELD_PER_USER = 1000;
  private static final long RESET_INTERVAL_MS = 60_000;
  private static final int CONTENT_VERSION = 1;

  private final MessengerConfig config;
  private final String username;
  private final int deviceId;
  private final LocalStore store;
  private final SecureRandom random = new SecureRandom();
  private final ExecutorService worker;
  private final ExecutorService eventThread;
  private final ScheduledExecutorService timer;
  private final List<MessengerListener> listeners = new CopyOnWriteArrayList<>();
  private final Map<MessageId, CompletableFuture<Message>> storedWaiters =
      new ConcurrentHashMap<>();
  private final BlockingQueue<Inbound> inbound = new LinkedBlockingQueue<>();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final Map<String, List<Inbound>> held = new HashMap<>();
  private final Map<String, Long> lastReset = new HashMap<>();

  /** A send that needs a new session while the server is away; retried after the reconnect. */
  private record Parked(CompletableFuture<?> future, Work work) {}

  /** Per peer, in order; worker thread only. */
  private final Map<String, java.util.ArrayDeque<Parked>> parked = new LinkedHashMap<>();

  private static final int MAX_PARKED = 10_000;
  private final AtomicBoolean closed = new AtomicBoolean();

  private volatile AccountKeys keys;
  private volatile Link link;
  private volatile ConnectionStatus status = new ConnectionStatus.Online();
  private volatile Presence presence = Presence.ONLINE;
  private volatile boolean readReceipts;
  private int reconnectAttempt;

  /** One connection and its login; pushes carry the link they came on, so acks go back on it. */
  private final class Link implements PushListener {
    volatile Session session;

    /** Outbox entries sent on this link and not yet answered: not sent twice on it. */
    final java.util.Set<MessageId> inFlight = ConcurrentHashMap.newKeySet();

    @Override
    public void onPush(Frame push) {
      inbound.add(new Inbound(this, push));
      scheduleDrain();
    }

    @Override
    public void onClosed(ConnectionClosedException cause) {
      connectionLost(this, cause.getMessage());
    }

    boolean usable() {
      Session s = session;
      return s != null && !s.connection().isClosed() && link == this;
    }
  }

  private record Inbound(Link link, Frame frame) {}

  private Messenger(
      MessengerConfig config, String username, int deviceId, LocalStore store, AccountKeys keys) {
    this.config = config;
    this.username = username;
    this.deviceId = deviceId;
    this.store = store;
    this.keys = keys;
    this.readReceipts = config.sendReadReceipts();
    this.worker = Executors.newSingleThreadExecutor(r -> daemon(r, "sotto-messenger-" + username));
    this.eventThread =
        Executors.newSingleThreadExecutor(r -> daemon(r, "sotto-events-" + username));
    this.timer =
        Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "sotto-reconnect-" + username));
  }

  // ------------------------------------------------------------------ opening

  /**
   * Whether this machine has a local store for {@code username} on the configured server. Without
   * one, a {@link #login} makes a new identity (if {@link MessengerConfig#allowNewIdentity()}):
   * contacts will see a changed safety number. Ask the user first.
   *
   * @throws InvalidInputException if the name breaks the username rule
   */
  public static boolean hasLocalStore(MessengerConfig config, String username)
      throws InvalidInputException {
    Path dir = storeDir(config, Session.normalizeUsername(username));
    return java.nio.file.Files.isDirectory(dir);
  }

  /** The directory of the account's local store. */
  public static Path storeDir(MessengerConfig config, String canonicalUsername) {
    return config.paths().accountDir(config.server(), canonicalUsername).resolve("store");
  }

  /**
   * Connects, logs in, opens the local store and starts. Blocks (key derivation, network, disk):
   * call it off any UI thread.
   *
   * @param listener the first listener, added before anything is received (the backlog follows the
   *     login at once)
   * @throws InvalidInputException for a malformed username or short password
   * @throws ServerException if the server refuses ({@code AUTH_FAILED}, {@code RATE_LIMITED}...)
   * @throws CertificateChangedException if the server's key is not the pinned one
   * @throws UntrustedServerException if the server is new and was not trusted
   * @throws NoLocalStoreException if there is no local store and new identities are not allowed
   * @throws dev.sotto.keystore.store.StoreLockedException if another process holds the store
   * @throws dev.sotto.keystore.store.WrongStoreKeyException if the store does not open with this
   *     password (changed on another machine)
   * @throws LocalStoreException if the store cannot be read or written
   * @throws IOException if the server cannot be reached or breaks the protocol
   */
  public static Messenger login(
      MessengerConfig config, String username, char[] password, MessengerListener listener)
      throws InvalidInputException,
          ServerException,
          CertificateChangedException,
          UntrustedServerException,
          LocalStoreException,
          IOException,
          InterruptedException {
    return open(config, username, password, null, false, listener);
  }

  /**
   * Creates an account, logs in, creates its local store with a new identity, uploads the prekeys
   * and starts. Throws as {@link #login} does, plus the registration refusals ({@code
   * USERNAME_TAKEN}, {@code INVITE_INVALID}, {@code REGISTRATION_NOT_ALLOWED}).
   *
   * @param inviteCode the invite code, or {@code null} on an open server
   */
  public static Messenger register(
      MessengerConfig config,
      String username,
      char[] password,
      String inviteCode,
      MessengerListener listener)
      throws InvalidInputException,
          ServerException,
          CertificateChangedException,
          UntrustedServerException,
          LocalStoreException,
          IOException,
          InterruptedException {
    return open(config, username, password, inviteCode, true, listener);
  }

  private static Messenger open(
      MessengerConfig config,
      String username,
      char[] password,
      String invite,
      boolean register,
      MessengerListener listener)
      throws InvalidInputException,
          ServerException,
          CertificateChangedException,
          UntrustedServerException,
          LocalStoreException,
          IOException,
          InterruptedException {
    Objects.requireNonNull(listener, "listener");
    String name = Session.normalizeUsername(username);
    Session.checkPassword(password);
    Path dir = storeDir(config, name);
    boolean haveStore = java.nio.file.Files.isDirectory(dir);
    List<Inbound> early = Collections.synchronizedList(new ArrayList<>());
    PushListener buffer =
        new PushListener() {
          @Override
          public void onPush(Frame push) {
            early.add(new Inbound(null, push));
          }
        };
    // The first connection's pushes are buffered until the store is open, then replayed.
    ForwardingListener forward = new ForwardingListener(buffer);
    Session session = Session.connect(config.server(), config.trust(), config.client(), forward);
    LoggedIn in;
    try {
      in = register ? session.register(name, password, invite) : session.login(name, password);
    } catch (InvalidInputException
        | ServerException
        | IOException
        | InterruptedException
        | RuntimeException e) {
      session.close();
      throw e;
    }
    if (!register && !haveStore && !config.allowNewIdentity()) {
      session.close();
      in.keys().destroy();
      throw new NoLocalStoreException(
          "There is no local store for "
              + name
              + " on this machine; logging in here makes a new identity (your contacts will see a"
              + " changed safety number). Import an export of your store, or allow a new identity.");
    }
    LocalStore store;
    boolean created = false;
    try {
      java.nio.file.Files.createDirectories(dir.getParent());
      if (haveStore && !register) {
        store = LocalStore.open(dir, in.keys().storeKey());
      } else {
        store =
            LocalStore.create(
                dir, in.keys().storeKey(), IdentityKeyPair.generate(new SecureRandom()));
        created = true;
      }
    } catch (LocalStoreException | IOException | RuntimeException e) {
      session.close();
      in.keys().destroy();
      throw e;
    }
    Messenger m = new Messenger(config, in.username(), in.deviceId(), store, in.keys());
    m.listeners.add(listener);
    Link first = m.new Link();
    first.session = session;
    m.link = first;
    try {
      if (created) {
        PreKeySet set = PreKeySet.generate(store.identity(), config.preKeyCount(), now(), m.random);
        store.installPreKeys(set);
        m.uploadFull(session, set, true);
      } else if (!m.identityUploaded()) {
        // A crash between making the identity (new store, resetkeys) and its upload, or an
        // imported store: the server may hold another identity's prekeys. Replace them.
        m.topUp(session, false, true, 0);
        m.markIdentityUploaded();
      } else {
        m.checkPreKeys(session);
      }
    } catch (ServerException
        | IOException
        | InterruptedException
        | LocalStoreException
        | RuntimeException e) {
      session.close();
      m.shutdownThreads();
      store.close();
      in.keys().destroy();
      throw e;
    }
    synchronized (forward) {
      // onPush holds the same lock: no push slips between the buffer and the messenger.
      forward.target = first;
      for (Inbound i : early) {
        m.inbound.add(new Inbound(first, i.frame()));
      }
      early.clear();
    }
    if (session.connection().isClosed()) {
      m.connectionLost(first, "the connection dropped during the login");
    }
    m.scheduleDrain();
    m.worker.execute(() -> m.resendOutbox(first));
    // The server remembers a chosen presence across connections (e.g. 'sotto status dnd').
    m.users()
        .thenAccept(
            list ->
                list.stream()
                    .filter(u -> u.name().equals(m.username) && u.presence() != Presence.OFFLINE)
                    .findFirst()
                    .ifPresent(u -> m.presence = u.presence()));
    logger.info("messenger for {} started (new identity: {})", in.username(), created);
    return m;
  }

  /** Sends pushes to a target that can be set once the messenger exists. */
  private static final class ForwardingListener implements PushListener {
    volatile PushListener target;

    ForwardingListener(PushListener initial) {
      this.target = initial;
    }

    @Override
    public synchronized void onPush(Frame push) {
      target.onPush(push);
    }

    @Override
    public void onClosed(ConnectionClosedException cause) {
      target.onClosed(cause);
    }
  }

  // ------------------------------------------------------------------ reading

  /** The logged-in account's canonical name. */
  public String username() {
    return username;
  }

  /** The connection's state now. */
  public ConnectionStatus connectionStatus() {
    return status;
  }

  /**
   * The presence this account chose ({@link #setPresence}); after login the one the server
   * remembers (ONLINE until the first answer arrives).
   */
  public Presence presence() {
    return presence;
  }

  /** Adds a listener (called on the event thread). */
  public void addListener(MessengerListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Removes a listener. */
  public void removeListener(MessengerListener listener) {
    listeners.remove(listener);
  }

  /**
   * Every conversation, most recently active first, with its unread count (kept in the local store,
   * so it survives restarts).
   */
  public List<ConversationSummary> conversations() throws LocalStoreException {
    List<ConversationSummary> out = new ArrayList<>();
    for (Conversation c : store.conversations()) {
      out.add(
          new ConversationSummary(
              c.name(), c.unread(), c.lastSeq(), Instant.ofEpochMilli(c.lastActivityMillis())));
    }
    return out;
  }

  /**
   * A page of a conversation's history, OLDEST FIRST: up to {@code limit} messages with a sequence
   * number below {@code beforeSeq}. Page backwards by passing the first message's seq.
   *
   * @param beforeSeq exclusive upper bound; {@code Long.MAX_VALUE} for the newest
   * @param limit 1..10,000
   * @throws InvalidInputException if {@code user} breaks the username rule
   */
  public List<Message> history(String user, long beforeSeq, int limit)
      throws InvalidInputException, LocalStoreException {
    String peer = Session.normalizeUsername(user);
    if (limit < 1 || limit > 10_000) {
      throw new IllegalArgumentException("expected 1..10000 messages, got " + limit);
    }
    List<HistoryEntry> rows = store.history(peer, beforeSeq, limit);
    List<Message> out = new ArrayList<>(rows.size());
    for (int i = rows.size() - 1; i >= 0; i--) {
      HistoryEntry h = rows.get(i);
      out.add(toMessage(h, stateOf(h)));
    }
    return out;
  }

  private MessageState stateOf(HistoryEntry h) throws LocalStoreException {
    return store
        .messageState(h.messageId())
        .map(Messenger::fromStore)
        .orElse(h.direction() == Direction.INCOMING ? MessageState.UNREAD : MessageState.SENDING);
  }

  // ------------------------------------------------------------------ sending

  /**
   * Sends a text to {@code user}: sets up a session from their prekey bundle when there is none,
   * encrypts, commits to the outbox, sends. See {@link Outgoing} for the two futures and how they
   * fail. Messages to one user keep their order.
   */
  public Outgoing send(String user, String text) {
    CompletableFuture<Message> committed = new CompletableFuture<>();
    CompletableFuture<Message> stored = new CompletableFuture<>();
    committed.whenComplete(
        (m, e) -> {
          if (e != null) {
            stored.completeExceptionally(e);
          }
        });
    if (!submit(committed, () -> doSend(user, text, committed, stored, true))) {
      stored.completeExceptionally(new NotConnectedException("The messenger is closed."));
    }
    return new Outgoing(committed, stored);
  }

  private void doSend(
      String user,
      String text,
      CompletableFuture<Message> committed,
      CompletableFuture<Message> stored,
      boolean mayPark)
      throws Exception {
    String peer = peerName(user);
    Objects.requireNonNull(text, "text");
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    if (text.isBlank()) {
      throw new InvalidInputException("An empty message is not sent.");
    }
    if (utf8.length > MAX_TEXT_BYTES) {
      throw new InvalidInputException(
          "A message may have at most " + MAX_TEXT_BYTES + " bytes, this one has " + utf8.length);
    }
    Work again = () -> doSend(user, text, committed, stored, true);
    if (mayPark && parked.containsKey(peer)) {
      park(peer, committed, again); // keeps the order behind earlier parked sends
      return;
    }
    try {
      ensureSendable(peer);
    } catch (ConnectionClosedException | NotConnectedException e) {
      // A new session needs the server: wait for the reconnect rather than fail the send.
      if (!mayPark || closed.get()) {
        throw e;
      }
      park(peer, committed, again);
      return;
    }
    long now = now();
    byte[] content =
        Content.newBuilder()
            .setVersion(CONTENT_VERSION)
            .setSentAtMs(now)
            .setText(Text.newBuilder().setBody(text))
            .build()
            .toByteArray();
    MessageId id = MessageId.random(random);
    OutboxEntry entry;
    try {
      entry = store.encryptAndCommit(address(peer), peer, id.bytes(), username, content, now);
    } catch (UntrustedIdentityException e) {
      throw new IdentityChangedException(peer);
    }
    Optional<HistoryEntry> row = store.historyByMessageId(id.bytes());
    Message m =
        row.isPresent()
            ? toMessage(row.get(), MessageState.SENDING)
            : new Message(
                peer,
                0,
                id,
                Message.Direction.OUTGOING,
                username,
                Instant.ofEpochMilli(now),
                Instant.ofEpochMilli(now),
                Message.Kind.TEXT,
                text,
                MessageState.SENDING);
    storedWaiters.put(id, stored);
    committed.complete(m);
    emit(new MessengerEvent.MessageSent(m));
    transmit(entry);
  }

  private void park(String peer, CompletableFuture<?> f, Work work) throws NotConnectedException {
    int total = 0;
    for (var q : parked.values()) {
      total += q.size();
    }
    if (total >= MAX_PARKED) {
      throw new NotConnectedException(
          "Not connected, and too many messages are waiting for the connection.");
    }
    parked.computeIfAbsent(peer, k -> new java.util.ArrayDeque<>()).add(new Parked(f, work));
  }

  /** Runs the parked sends in order after a reconnect; they park again if it dropped again. */
  private void unpark() {
    if (parked.isEmpty()) {
      return;
    }
    Map<String, java.util.ArrayDeque<Parked>> waiting = new LinkedHashMap<>(parked);
    parked.clear();
    for (var q : waiting.values()) {
      for (Parked p : q) {
        runGuarded(p.future(), p.work());
      }
    }
  }

  /** Fails unless {@code peer}'s identity is trusted; makes a session when there is none. */
  private void ensureSendable(String peer) throws Exception {
    Optional<Contact> contact = store.contact(peer);
    if (contact.isPresent() && contact.get().trust() == TrustState.CHANGED) {
      throw new IdentityChangedException(peer);
    }
    if (!hasSession(peer)) {
      startSession(peer);
    }
  }

  private boolean hasSession(String peer) {
    try (Transaction tx = store.begin()) {
      return tx.keyStores().sessions().loadSession(address(peer)).isPresent();
    }
  }

  /** Fetches {@code peer}'s bundle and commits a new session (and the first pin). */
  private void startSession(String peer) throws Exception {
    PreKeyBundle bundle = fetchBundle(peer);
    try (Transaction tx = store.begin()) {
      try {
        tx.sessionBuilder().process(address(peer), bundle);
      } catch (UntrustedIdentityException e) {
        tx.putContact(
            new Contact(peer, TrustState.CHANGED, Optional.of(bundle.identityKey()), now()));
        tx.commit();
        emit(
            new MessengerEvent.IdentityChanged(
                peer, safetyNumberWith(peer, bundle.identityKey()).formatted()));
        throw new IdentityChangedException(peer);
      } catch (InvalidKeyException e) {
        throw new ProtocolException(
            "The server sent a prekey bundle for "
                + peer
                + " that fails a check: "
                + e.getMessage());
      }
      if (tx.contact(peer).isEmpty()) {
        tx.putContact(new Contact(peer, TrustState.FIRST_USE, Optional.empty(), now()));
      }
      tx.commit();
    }
    logger.info("session with {} started", peer);
  }

  private PreKeyBundle fetchBundle(String peer) throws Exception {
    Frame f;
    try {
      f =
          call(
                  Frame.newBuilder()
                      .setFetchPreKeyBundle(
                          FetchPreKeyBundle.newBuilder()
                              .setAddress(
                                  Address.newBuilder()
                                      .setUser(peer)
                                      .setDeviceId(Session.DEVICE_ID))),
                  Frame.BodyCase.PRE_KEY_BUNDLE)
              .get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
    return toBundle(peer, f.getPreKeyBundle());
  }

  static PreKeyBundle toBundle(String peer, PreKeyBundleResponse r) throws ProtocolException {
    try {
      IdentityKey identity =
          IdentityKey.decode(
              concat(
                  r.getIdentitySigningKey().toByteArray(),
                  r.getIdentityAgreementKey().getPublicKey().toByteArray(),
                  r.getIdentityAgreementKey().getSignature().toByteArray()));
      int device =
          r.hasAddress() && r.getAddress().getDeviceId() != 0 ? r.getAddress().getDeviceId() : 1;
      return new PreKeyBundle(
          device,
          identity,
          r.getSignedPreKey().getId(),
          r.getSignedPreKey().getPublicKey().toByteArray(),
          r.getSignedPreKey().getSignature().toByteArray(),
          r.hasOneTimePreKey() ? r.getOneTimePreKey().getId() : 0,
          r.hasOneTimePreKey() ? r.getOneTimePreKey().getPublicKey().toByteArray() : null,
          r.getKemPreKey().getId(),
          r.getKemPreKey().getPublicKey().toByteArray(),
          r.getKemPreKey().getSignature().toByteArray());
    } catch (InvalidKeyException e) {
      throw new ProtocolException(
          "The server sent an invalid identity for " + peer + ": " + e.getMessage());
    }
  }

  /** Sends one outbox entry on the current link; its result is handled on the worker. */
  private void transmit(OutboxEntry e) {
    Link l = link;
    if (l == null || !l.usable()) {
      return;
    }
    if (!l.inFlight.add(MessageId.of(e.messageId()))) {
      return;
    }
    byte[] ct = e.ciphertext();
    Envelope env =
        Envelope.newBuilder()
            .setMessageId(ByteString.copyFrom(e.messageId()))
            .setRecipient(
                Address.newBuilder()
                    .setUser(e.recipient().name())
                    .setDeviceId(e.recipient().deviceId()))
            .setType(
                (ct[0] & 0xFF) == PreKeyMessage.TYPE
                    ? EnvelopeType.PRE_KEY_MESSAGE
                    : EnvelopeType.MESSAGE)
            .setCiphertext(ByteString.copyFrom(ct))
            .build();
    l.session
        .connection()
        .request(Frame.newBuilder().setSendMessage(SendMessage.newBuilder().setEnvelope(env)))
        .whenComplete(
            (frame, error) -> {
              try {
                worker.execute(() -> sendResult(l, e, frame, error));
              } catch (java.util.concurrent.RejectedExecutionException closedMeanwhile) {
                // Closed: the entry stays in the outbox for the next start.
              }
            });
  }

  private final List<OutboxEntry> storedBatch = new ArrayList<>();
  private final Map<MessageId, PresenceState> heldInBatch = new HashMap<>();

  private void sendResult(Link l, OutboxEntry e, Frame frame, Throwable error) {
    MessageId id = MessageId.of(e.messageId());
    l.inFlight.remove(id);
    if (error != null) {
      // Connection lost or timed out: the entry stays in the outbox and goes again on reconnect.
      if (error instanceof dev.sotto.client.core.RequestTimeoutException && l.usable()) {
        transmit(e);
      }
      return;
    }
    if (frame.getBodyCase() == Frame.BodyCase.STORED) {
      storedBatch.add(e);
      if (frame.getStored().getHeld()) {
        heldInBatch.put(id, frame.getStored().getRecipientPresence());
      }
      if (storedBatch.size() == 1) {
        try {
          // Later answers already queued join this batch: one commit for all of them.
          worker.execute(this::flushStored);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
          flushStored();
        }
      }
      return;
    }
    if (frame.getBodyCase() == Frame.BodyCase.ERROR) {
      ServerException se = ServerException.of(frame.getError());
      switch (se.code()) {
        case RATE_LIMITED, SERVER_BUSY, MAILBOX_FULL, INTERNAL -> {
          long delay = se.retryAfter().map(Duration::toMillis).orElse(2000L);
          logger.info(
              "message {} to {} refused for now ({}); retrying", id, e.recipient(), se.code());
          timer.schedule(
              () -> runOnWorker(() -> transmit(e)),
              Math.min(Math.max(delay, 100), 60_000),
              TimeUnit.MILLISECONDS);
        }
        default -> failOutbox(e, se);
      }
      return;
    }
    logger.warn("message {} answered with {}", id, frame.getBodyCase());
  }

  private void flushStored() {
    if (storedBatch.isEmpty()) {
      return;
    }
    List<OutboxEntry> batch = new ArrayList<>(storedBatch);
    storedBatch.clear();
    Map<MessageId, PresenceState> heldNow = new HashMap<>(heldInBatch);
    heldInBatch.clear();
    List<MessengerEvent> events = new ArrayList<>();
    try (Transaction tx = store.begin()) {
      for (OutboxEntry e : batch) {
        tx.removeFromOutbox(e.seq());
        Optional<HistoryEntry> h = tx.historyByMessageId(e.messageId());
        if (h.isPresent()) {
          Optional<dev.sotto.keystore.store.MessageState> st = store.messageState(e.messageId());
          if (st.isEmpty() || st.get() == dev.sotto.keystore.store.MessageState.PENDING) {
            tx.setMessageState(e.messageId(), dev.sotto.keystore.store.MessageState.SENT);
            MessageId mid = MessageId.of(e.messageId());
            events.add(
                new MessengerEvent.MessageStateChanged(
                    h.get().conversation(), mid, MessageState.STORED));
            PresenceState held = heldNow.get(mid);
            if (held != null) {
              events.add(
                  new MessengerEvent.MessageHeld(h.get().conversation(), mid, fromWire(held)));
            }
          }
        }
      }
      tx.commit();
    } catch (LocalStoreException | RuntimeException ex) {
      logger.warn("could not record {} acknowledged messages: {}", batch.size(), ex.getMessage());
      problem("The local store could not be written: " + ex.getMessage());
      return;
    }
    events.forEach(this::emit);
    for (OutboxEntry e : batch) {
      CompletableFuture<Message> w = storedWaiters.remove(MessageId.of(e.messageId()));
      if (w != null) {
        try {
          Optional<HistoryEntry> h = store.historyByMessageId(e.messageId());
          if (h.isPresent()) {
            w.complete(toMessage(h.get(), MessageState.STORED));
          } else {
            w.completeExceptionally(new IllegalStateException("sent message vanished"));
          }
        } catch (LocalStoreException ex) {
          w.completeExceptionally(ex);
        }
      }
    }
  }

  private void failOutbox(OutboxEntry e, ServerException cause) {
    logger.info(
        "message {} to {} refused for good: {}",
        MessageId.of(e.messageId()),
        e.recipient(),
        cause.code());
    try (Transaction tx = store.begin()) {
      tx.removeFromOutbox(e.seq());
      boolean known =
          tx.setMessageState(e.messageId(), dev.sotto.keystore.store.MessageState.FAILED);
      tx.commit();
      if (known) {
        emit(
            new MessengerEvent.MessageStateChanged(
                e.recipient().name(), MessageId.of(e.messageId()), MessageState.FAILED));
      }
    } catch (LocalStoreException ex) {
      problem("The local store could not be written: " + ex.getMessage());
    }
    CompletableFuture<Message> w = storedWaiters.remove(MessageId.of(e.messageId()));
    if (w != null) {
      w.completeExceptionally(cause);
    }
  }

  private void resendOutbox(Link l) {
    if (!l.usable()) {
      return;
    }
    try {
      List<OutboxEntry> all = store.outbox(Integer.MAX_VALUE);
      if (!all.isEmpty()) {
        logger.info("resending {} outbox entries", all.size());
      }
      for (OutboxEntry e : all) {
        transmit(e);
      }
    } catch (LocalStoreException e) {
      problem("The outbox could not be read: " + e.getMessage());
    }
  }

  // ------------------------------------------------------------------ receiving

  private void scheduleDrain() {
    if (drainScheduled.compareAndSet(false, true)) {
      try {
        worker.execute(this::drain);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // Closed.
      }
    }
  }

  private void drain() {
    drainScheduled.set(false);
    List<Inbound> batch = new ArrayList<>();
    inbound.drainTo(batch, 4 * MAX_BATCH);
    int i = 0;
    while (i < batch.size()) {
      Inbound first = batch.get(i);
      if (first.frame().getBodyCase() == Frame.BodyCase.MESSAGE_PUSH && !config.receiving()) {
        i++; // Not acked: the server keeps it for a receiving client.
      } else if (first.frame().getBodyCase() == Frame.BodyCase.MESSAGE_PUSH) {
        List<Inbound> messages = new ArrayList<>();
        while (i < batch.size()
            && messages.size() < MAX_BATCH
            && batch.get(i).frame().getBodyCase() == Frame.BodyCase.MESSAGE_PUSH) {
          messages.add(batch.get(i));
          i++;
        }
        receive(messages);
      } else {
        other(first);
        i++;
      }
    }
    if (!inbound.isEmpty()) {
      scheduleDrain();
    }
  }

  private void other(Inbound in) {
    Frame f = in.frame();
    switch (f.getBodyCase()) {
      case BACKLOG_SUMMARY -> {
        List<MessengerEvent.SenderCount> counts = new ArrayList<>();
        for (var c : f.getBacklogSummary().getCountsList()) {
          counts.add(new MessengerEvent.SenderCount(c.getSender(), c.getCount()));
        }
        emit(new MessengerEvent.BacklogSummary(counts));
      }
      case BACKLOG_DONE -> emit(new MessengerEvent.BacklogDone());
      case PRESENCE_PUSH ->
          emit(
              new MessengerEvent.PresenceChanged(
                  f.getPresencePush().getUsername(), fromWire(f.getPresencePush().getPresence())));
      case PRE_KEYS_LOW -> {
        Session s = in.link().session;
        if (s != null && in.link().usable()) {
          try {
            checkPreKeys(s);
          } catch (Exception e) {
            logger.warn("prekey top-up failed: {}", e.getMessage());
            problem("New prekeys could not be uploaded: " + e.getMessage());
          }
        }
      }
      default -> logger.debug("ignoring a {} push", f.getBodyCase());
    }
  }

  /** What became of one received envelope. */
  private enum Outcome {
    SHOWN,
    SILENT,
    HELD,
    UNDECRYPTABLE
  }

  private void receive(List<Inbound> batch) {
    List<MessengerEvent> events = new ArrayList<>();
    List<Inbound> acks = new ArrayList<>();
    List<String> resets = new ArrayList<>();
    List<OutboxEntry> receipts = new ArrayList<>();
    Map<String, List<byte[]>> delivered = new LinkedHashMap<>();
    Map<MessageId, MessageState> stateInBatch = new HashMap<>();
    long now = now();
    try (Transaction tx = store.begin()) {
      for (Inbound in : batch) {
        Envelope env = in.frame().getMessagePush().getEnvelope();
        Outcome o;
        try {
          o = receiveOne(tx, env, now, events, delivered, stateInBatch);
        } catch (IllegalArgumentException bad) {
          // The server validates envelopes; one that still breaks a rule is dropped, not acked
          // (an ack naming a malformed id would be refused as a whole).
          logger.info("dropping a malformed envelope: {}", bad.getMessage());
          continue;
        }
        switch (o) {
          case SHOWN, SILENT -> acks.add(in);
          case UNDECRYPTABLE -> {
            acks.add(in);
            resets.add(env.getSender().getUser());
          }
          case HELD -> hold(env.getSender().getUser(), in);
        }
      }
      for (Map.Entry<String, List<byte[]>> d : delivered.entrySet()) {
        OutboxEntry r = receiptEntry(tx, d.getKey(), Receipt.Kind.DELIVERED, d.getValue(), now);
        if (r != null) {
          receipts.add(r);
        }
      }
      tx.commit();
    } catch (LocalStoreException | RuntimeException e) {
      logger.warn("could not commit {} received messages: {}", batch.size(), e.getMessage());
      problem("Received messages could not be stored (they will come again): " + e.getMessage());
      return;
    }
    events.forEach(this::emit);
    ack(acks);
    for (OutboxEntry r : receipts) {
      transmit(r);
    }
    for (String peer : resets) {
      requestReset(peer);
    }
  }

  private Outcome receiveOne(
      Transaction tx,
      Envelope env,
      long now,
      List<MessengerEvent> events,
      Map<String, List<byte[]>> delivered,
      Map<MessageId, MessageState> stateInBatch)
      throws LocalStoreException {
    String peer = env.getSender().getUser();
    int device = env.getSender().getDeviceId() == 0 ? 1 : env.getSender().getDeviceId();
    ProtocolAddress from = new ProtocolAddress(peer, device);
    MessageId id = MessageId.of(env.getMessageId().toByteArray());
    if (tx.historyByMessageId(id.bytes()).isPresent()) {
      return Outcome.SILENT;
    }
    byte[] ciphertext = env.getCiphertext().toByteArray();
    int skippedBefore = skipped(tx, from);
    byte[] plain;
    try {
      plain = tx.sessionCipher().decrypt(from, ciphertext);
    } catch (DuplicateMessageException e) {
      logger.debug("message {} from {} was already received", id, peer);
      return Outcome.SILENT;
    } catch (UntrustedIdentityException e) {
      identityChangedOnReceive(tx, peer, ciphertext, events);
      return Outcome.HELD;
    } catch (InvalidMessageException | NoSessionException e) {
      logger.info("message {} from {} cannot be decrypted: {}", id, peer, e.getMessage());
      HistoryEntry h =
          tx.appendHistory(peer, id.bytes(), Direction.INCOMING, peer, now, new byte[0]);
      Message m = toMessage(h, MessageState.UNREAD);
      events.add(new MessengerEvent.MessageReceived(m));
      events.add(new MessengerEvent.Undecryptable(peer, id, e.getMessage()));
      events.add(new MessengerEvent.UnreadChanged(peer, unread(tx, peer)));
      return Outcome.UNDECRYPTABLE;
    }
    int skippedAfter = skipped(tx, from);
    if (skippedBefore >= 0 && skippedAfter > skippedBefore) {
      events.add(new MessengerEvent.Gap(peer, skippedAfter - skippedBefore));
    }
    if (tx.contact(peer).isEmpty()) {
      tx.putContact(new Contact(peer, TrustState.FIRST_USE, Optional.empty(), now));
    }
    Content content;
    try {
      content = Content.parseFrom(plain);
    } catch (InvalidProtocolBufferException e) {
      content = null;
    }
    if (content != null && content.getVersion() == CONTENT_VERSION) {
      switch (content.getBodyCase()) {
        case RECEIPT -> {
          applyReceipt(tx, peer, content.getReceipt(), events, stateInBatch);
          return Outcome.SILENT;
        }
        case SESSION_RESET -> {
          logger.info("{} reset the session", peer);
          return Outcome.SILENT;
        }
        default -> {
          // TEXT and kinds this version does not know are kept and shown.
        }
      }
    }
    HistoryEntry h = tx.appendHistory(peer, id.bytes(), Direction.INCOMING, peer, now, plain);
    events.add(new MessengerEvent.MessageReceived(toMessage(h, MessageState.UNREAD)));
    events.add(new MessengerEvent.UnreadChanged(peer, unread(tx, peer)));
    delivered.computeIfAbsent(peer, k -> new ArrayList<>()).add(id.bytes());
    return Outcome.SHOWN;
  }

  private static int unread(Transaction tx, String peer) throws LocalStoreException {
    return tx.conversation(peer).map(Conversation::unread).orElse(0);
  }

  /** The current session's stored skipped-key count, or -1 without a session. */
  private static int skipped(Transaction tx, ProtocolAddress from) {
    Optional<SessionRecord> r = tx.keyStores().sessions().loadSession(from);
    return r.map(s -> s.current().skippedKeyCount()).orElse(-1);
  }

  private void applyReceipt(
      Transaction tx,
      String peer,
      Receipt receipt,
      List<MessengerEvent> events,
      Map<MessageId, MessageState> stateInBatch)
      throws LocalStoreException {
    MessageState target =
        switch (receipt.getKind()) {
          case DELIVERED -> MessageState.DELIVERED;
          case READ -> MessageState.READ;
          default -> null;
        };
    if (target == null) {
      return;
    }
    int n = 0;
    for (ByteString raw : receipt.getMessageIdsList()) {
      if (raw.size() != MessageId.LENGTH || ++n > 10_000) {
        continue;
      }
      MessageId id = MessageId.of(raw.toByteArray());
      Optional<HistoryEntry> h = tx.historyByMessageId(id.bytes());
      // Only our own messages to this peer: a peer cannot tick anyone else's messages.
      if (h.isEmpty()
          || h.get().direction() != Direction.OUTGOING
          || !h.get().conversation().equals(peer)) {
        continue;
      }
      MessageState current = stateInBatch.get(id);
      if (current == null) {
        current =
            store.messageState(id.bytes()).map(Messenger::fromStore).orElse(MessageState.SENDING);
      }
      if (rank(target) > rank(current)) {
        tx.setMessageState(id.bytes(), toStore(target));
        stateInBatch.put(id, target);
        events.add(new MessengerEvent.MessageStateChanged(peer, id, target));
      }
    }
  }

  private static int rank(MessageState s) {
    return switch (s) {
      case SENDING -> 0;
      case STORED -> 1;
      case DELIVERED -> 2;
      case READ -> 3;
      default -> 4;
    };
  }

  private void identityChangedOnReceive(
      Transaction tx, String peer, byte[] ciphertext, List<MessengerEvent> events)
      throws LocalStoreException {
    IdentityKey fresh = null;
    if (ciphertext.length > 0 && (ciphertext[0] & 0xFF) == PreKeyMessage.TYPE) {
      try {
        fresh = PreKeyMessage.parse(ciphertext).identityKey();
      } catch (InvalidMessageException e) {
        fresh = null;
      }
    }
    Optional<Contact> c = tx.contact(peer);
    boolean alreadyKnown =
        c.isPresent()
            && c.get().trust() == TrustState.CHANGED
            && c.get().pendingIdentity().isPresent()
            && fresh != null
            && c.get().pendingIdentity().get().equals(fresh);
    if (fresh != null && !alreadyKnown) {
      tx.putContact(new Contact(peer, TrustState.CHANGED, Optional.of(fresh), now()));
      events.add(
          new MessengerEvent.IdentityChanged(peer, safetyNumberWith(peer, fresh).formatted()));
    }
    logger.info("message from {} held: identity changed", peer);
  }

  private void hold(String peer, Inbound in) {
    List<Inbound> list = held.computeIfAbsent(peer, k -> new ArrayList<>());
    if (list.size() < MAX_HELD_PER_USER) {
      list.add(in);
    }
  }

  private void ack(List<Inbound> acks) {
    Map<Link, List<ByteString>> byLink = new LinkedHashMap<>();
    for (Inbound in : acks) {
      byLink
          .computeIfAbsent(in.link(), k -> new ArrayList<>())
          .add(in.frame().getMessagePush().getEnvelope().getMessageId());
    }
    for (Map.Entry<Link, List<ByteString>> e : byLink.entrySet()) {
      Link l = e.getKey();
      Session s = l == null ? null : l.session;
      if (s == null || s.connection().isClosed()) {
        continue; // The server sends them again at the next login; they are found as duplicates.
      }
      List<ByteString> ids = e.getValue();
      for (int i = 0; i < ids.size(); i += MAX_ACK_IDS) {
        s.connection()
            .request(
                Frame.newBuilder()
                    .setAckMessages(
                        AckMessages.newBuilder()
                            .addAllMessageIds(
                                ids.subList(i, Math.min(ids.size(), i + MAX_ACK_IDS)))));
      }
    }
  }

  /** Encrypts a receipt into the outbox within {@code tx}; null if it cannot be sent. */
  private OutboxEntry receiptEntry(
      Transaction tx, String peer, Receipt.Kind kind, List<byte[]> ids, long now)
      throws LocalStoreException {
    Receipt.Builder r = Receipt.newBuilder().setKind(kind);
    for (byte[] id : ids) {
      r.addMessageIds(ByteString.copyFrom(id));
    }
    byte[] content =
        Content.newBuilder()
            .setVersion(CONTENT_VERSION)
            .setSentAtMs(now)
            .setReceipt(r)
            .build()
            .toByteArray();
    return encryptControl(tx, peer, content, now);
  }

  private OutboxEntry encryptControl(Transaction tx, String peer, byte[] content, long now)
      throws LocalStoreException {
    Optional<Contact> c = tx.contact(peer);
    if (c.isPresent() && c.get().trust() == TrustState.CHANGED) {
      return null;
    }
    try {
      byte[] ct = tx.sessionCipher().encrypt(address(peer), content);
      return tx.addToOutbox(address(peer), MessageId.random(random).bytes(), ct, now);
    } catch (NoSessionException | UntrustedIdentityException e) {
      logger.info("no receipt to {}: {}", peer, e.getMessage());
      return null;
    }
  }

  /**
   * Asks {@code peer}'s client for a new session: a fresh session from their bundle and a {@code
   * SessionReset} content through it. At most one per peer per minute.
   */
  private void requestReset(String peer) {
    long now = System.currentTimeMillis();
    Long last = lastReset.get(peer);
    if (last != null && now - last < RESET_INTERVAL_MS) {
      return;
    }
    lastReset.put(peer, now);
    try {
      Optional<Contact> c = store.contact(peer);
      if (c.isPresent() && c.get().trust() == TrustState.CHANGED) {
        return;
      }
      startSession(peer);
      byte[] content =
          Content.newBuilder()
              .setVersion(CONTENT_VERSION)
              .setSentAtMs(now)
              .setSessionReset(
                  dev.sotto.wire.proto.SessionReset.newBuilder().setReason("undecryptable"))
              .build()
              .toByteArray();
      OutboxEntry e;
      try (Transaction tx = store.begin()) {
        e = encryptControl(tx, peer, content, now);
        tx.commit();
      }
      if (e != null) {
        transmit(e);
      }
      logger.info("asked {} for a session reset", peer);
    } catch (Exception e) {
      logger.info("session reset with {} failed: {}", peer, e.getMessage());
    }
  }

  // ------------------------------------------------------------------ marking read

  /**
   * Marks every message of the conversation read: the unread count drops to 0, the messages become
   * {@link MessageState#SEEN}, and (when {@link MessengerConfig#sendReadReceipts()}) a read receipt
   * goes to the peer through the outbox.
   */
  public CompletableFuture<Void> markRead(String user) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    submit(f, () -> doMarkRead(user, f));
    return f;
  }

  private void doMarkRead(String user, CompletableFuture<Void> f) throws Exception {
    String peer = peerName(user);
    Optional<Conversation> c = store.conversation(peer);
    if (c.isEmpty() || c.get().unread() == 0) {
      f.complete(null);
      return;
    }
    int wanted = c.get().unread();
    List<byte[]> ids = new ArrayList<>();
    long before = Long.MAX_VALUE;
    int scanned = 0;
    while (ids.size() < wanted && scanned < 100_000) {
      List<HistoryEntry> page = store.history(peer, before, 500);
      if (page.isEmpty()) {
        break;
      }
      for (HistoryEntry h : page) {
        scanned++;
        before = h.seq();
        if (h.direction() == Direction.INCOMING
            && store
                .messageState(h.messageId())
                .map(s -> s == dev.sotto.keystore.store.MessageState.RECEIVED)
                .orElse(false)) {
          ids.add(h.messageId());
        }
      }
    }
    OutboxEntry receipt = null;
    long now = now();
    try (Transaction tx = store.begin()) {
      for (byte[] id : ids) {
        tx.setMessageState(id, dev.sotto.keystore.store.MessageState.SEEN);
      }
      tx.markRead(peer);
      if (readReceipts && !ids.isEmpty()) {
        receipt = receiptEntry(tx, peer, Receipt.Kind.READ, ids, now);
      }
      tx.commit();
    }
    for (byte[] id : ids) {
      emit(new MessengerEvent.MessageStateChanged(peer, MessageId.of(id), MessageState.SEEN));
    }
    emit(new MessengerEvent.UnreadChanged(peer, 0));
    if (receipt != null) {
      transmit(receipt);
    }
    f.complete(null);
  }

  /**
   * Turns read receipts on or off for later {@link #markRead} calls (initially {@link
   * MessengerConfig#sendReadReceipts()}). Delivery receipts are always sent.
   */
  public void setReadReceipts(boolean send) {
    readReceipts = send;
  }

  /** Whether {@link #markRead} sends read receipts. */
  public boolean readReceipts() {
    return readReceipts;
  }

  // ------------------------------------------------------------------ users and presence

  /** Every user of the server with their presence and whether this account blocks them. */
  public CompletableFuture<List<UserInfo>> users() {
    return call(
            Frame.newBuilder().setListUsers(ListUsers.getDefaultInstance()),
            Frame.BodyCase.USER_LIST)
        .thenApply(
            f -> {
              List<UserInfo> out = new ArrayList<>();
              for (UserList.User u : f.getUserList().getUsersList()) {
                out.add(new UserInfo(u.getUsername(), fromWire(u.getPresence()), u.getBlocked()));
              }
              return out;
            });
  }

  /**
   * Sets this account's presence: ONLINE, AWAY or DND (in DND the server holds messages in the
   * mailbox instead of pushing them). Kept across reconnects.
   *
   * @throws IllegalArgumentException for OFFLINE (which the server derives from connections)
   */
  public CompletableFuture<Void> setPresence(Presence p) {
    Objects.requireNonNull(p, "presence");
    if (p == Presence.OFFLINE) {
      throw new IllegalArgumentException("OFFLINE cannot be set; it means no connection is open");
    }
    presence = p;
    return call(
            Frame.newBuilder().setSetPresence(SetPresence.newBuilder().setPresence(toWire(p))),
            Frame.BodyCase.OK)
        .thenApply(f -> null);
  }

  /** Blocks {@code user}: the server drops their messages to this account (they see one tick). */
  public CompletableFuture<Void> block(String user) {
    return nameThen(
        user,
        n ->
            call(
                Frame.newBuilder().setBlock(Block.newBuilder().setUsername(n)), Frame.BodyCase.OK));
  }

  /** Unblocks {@code user}. */
  public CompletableFuture<Void> unblock(String user) {
    return nameThen(
        user,
        n ->
            call(
                Frame.newBuilder().setUnblock(Unblock.newBuilder().setUsername(n)),
                Frame.BodyCase.OK));
  }

  private CompletableFuture<Void> nameThen(
      String user, java.util.function.Function<String, CompletableFuture<Frame>> action) {
    String n;
    try {
      n = Session.normalizeUsername(user);
    } catch (InvalidInputException e) {
      return CompletableFuture.failedFuture(e);
    }
    return action.apply(n).thenApply(f -> null);
  }

  // ------------------------------------------------------------------ trust

  /**
   * The safety number with {@code user}. Without a pinned identity yet, a session is made first
   * (fetching their bundle pins it). For a contact whose identity changed, the NEW number.
   */
  public CompletableFuture<SafetyNumberView> safetyNumber(String user) {
    CompletableFuture<SafetyNumberView> f = new CompletableFuture<>();
    submit(f, () -> f.complete(doSafetyNumber(peerName(user))));
    return f;
  }

  private SafetyNumberView doSafetyNumber(String peer) throws Exception {
    Optional<Contact> c = store.contact(peer);
    if (c.isPresent()
        && c.get().trust() == TrustState.CHANGED
        && c.get().pendingIdentity().isPresent()) {
      return new SafetyNumberView(
          peer,
          safetyNumberWith(peer, c.get().pendingIdentity().get()).formatted(),
          SafetyNumberView.Trust.CHANGED);
    }
    Optional<IdentityKey> pinned = store.pinnedIdentity(address(peer));
    if (pinned.isEmpty()) {
      startSession(peer);
      pinned = store.pinnedIdentity(address(peer));
      c = store.contact(peer);
    }
    if (pinned.isEmpty()) {
      throw new IllegalStateException("no identity pinned for " + peer + " after a session");
    }
    boolean verified = c.isPresent() && c.get().trust() == TrustState.VERIFIED;
    return new SafetyNumberView(
        peer,
        safetyNumberWith(peer, pinned.get()).formatted(),
        verified ? SafetyNumberView.Trust.VERIFIED : SafetyNumberView.Trust.UNVERIFIED);
  }

  /**
   * Compares digits read out by {@code user} (whitespace ignored) with the safety number. On a
   * match the contact is marked verified; for a changed identity a match also accepts it (as {@link
   * #trust} does).
   *
   * @return whether they match
   */
  public CompletableFuture<Boolean> verify(String user, String digits) {
    CompletableFuture<Boolean> f = new CompletableFuture<>();
    submit(
        f,
        () -> {
          String peer = peerName(user);
          SafetyNumberView v = doSafetyNumber(peer);
          boolean match = safetyNumberMatches(v.number(), digits);
          if (match) {
            accept(peer, TrustState.VERIFIED);
          }
          f.complete(match);
        });
    return f;
  }

  private static boolean safetyNumberMatches(String formatted, String typed) {
    String a = formatted.replace(" ", "");
    StringBuilder b = new StringBuilder();
    if (typed == null) {
      return false;
    }
    for (char ch : typed.toCharArray()) {
      if (!Character.isWhitespace(ch)) {
        b.append(ch);
      }
    }
    return java.security.MessageDigest.isEqual(
        a.getBytes(StandardCharsets.US_ASCII), b.toString().getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * Accepts {@code user}'s current identity after a change: pins it, drops the old session (the
   * next send makes a new one), and processes the messages that waited for it. Does nothing for a
   * contact whose identity did not change.
   */
  public CompletableFuture<Void> trust(String user) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    submit(
        f,
        () -> {
          accept(peerName(user), TrustState.FIRST_USE);
          f.complete(null);
        });
    return f;
  }

  private void accept(String peer, TrustState level) throws LocalStoreException {
    Optional<Contact> c = store.contact(peer);
    boolean changed =
        c.isPresent()
            && c.get().trust() == TrustState.CHANGED
            && c.get().pendingIdentity().isPresent();
    try (Transaction tx = store.begin()) {
      if (changed) {
        tx.pinIdentity(address(peer), c.get().pendingIdentity().get());
        tx.keyStores().sessions().deleteSession(address(peer));
      }
      if (changed || level == TrustState.VERIFIED) {
        tx.putContact(new Contact(peer, level, Optional.empty(), now()));
      }
      tx.commit();
    }
    if (changed) {
      logger.info("accepted the new identity of {}", peer);
      List<Inbound> waiting = held.remove(peer);
      if (waiting != null && !waiting.isEmpty()) {
        receive(waiting);
      }
    }
  }

  // ------------------------------------------------------------------ keys and password

  /**
   * Replaces this account's identity and prekeys (contacts will see a changed safety number), and
   * uploads the new prekeys. History and contacts are kept; every session is dropped.
   */
  public CompletableFuture<Void> resetKeys() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    submit(
        f,
        () -> {
          Session s = currentSession();
          PreKeySet set = store.resetKeys(config.preKeyCount(), now());
          uploadFull(s, set, true);
          markIdentityUploaded();
          logger.info("identity of {} renewed", username);
          f.complete(null);
        });
    return f;
  }

  /**
   * Changes the account password on the server and re-wraps the local store's key under the new
   * store key. The arrays are the caller's; they are read before the future completes.
   *
   * <p>Limit: a crash between the server's change and the local re-wrap leaves a store that opens
   * with the OLD password only.
   */
  public CompletableFuture<Void> changePassword(char[] oldPassword, char[] newPassword) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    submit(
        f,
        () -> {
          Session s = currentSession();
          AccountKeys fresh = s.changePassword(oldPassword, newPassword);
          AccountKeys old = keys;
          store.changeStoreKey(old.storeKey(), fresh.storeKey());
          keys = fresh;
          old.destroy();
          f.complete(null);
        });
    return f;
  }

  private void checkPreKeys(Session s)
      throws ServerException, IOException, InterruptedException, LocalStoreException {
    Frame f =
        s.connection()
            .call(
                Frame.newBuilder().setPreKeyCountRequest(PreKeyCountRequest.getDefaultInstance()),
                Frame.BodyCase.PRE_KEY_COUNT);
    PreKeyCount count = f.getPreKeyCount();
    SignedPreKeyRecord newest = newestSignedPreKey();
    boolean stale =
        newest == null
            || now() - newest.createdAtMillis() > KeyRenewal.SIGNED_PREKEY_ROTATION.toMillis();
    if (count.getOneTime() < PREKEY_LOW_WATER
        || count.getOneTimeKem() < PREKEY_LOW_WATER
        || stale) {
      topUp(
          s,
          stale,
          count.getOneTime() == 0 && count.getOneTimeKem() == 0,
          Math.max(count.getOneTime(), count.getOneTimeKem()));
    }
  }

  /**
   * Makes one-time prekeys up to {@link MessengerConfig#preKeyCount()} (the server holds {@code
   * have} of the larger kind), optionally a new signed prekey, commits them, then uploads.
   */
  private void topUp(Session s, boolean rotate, boolean replace, int have)
      throws ServerException, IOException, InterruptedException, LocalStoreException {
    long now = now();
    int n = replace ? config.preKeyCount() : Math.max(1, config.preKeyCount() - have);
    KeyRenewal.OneTimePreKeys fresh;
    try (Transaction tx = store.begin()) {
      if (rotate) {
        KeyRenewal.rotateSignedPreKey(tx.keyStores(), now, random);
      }
      fresh = KeyRenewal.topUpOneTimePreKeys(tx.keyStores(), n, now, random);
      tx.commit();
    }
    upload(s, fresh.preKeys(), fresh.kemPreKeys(), replace);
    logger.info("uploaded {} new one-time prekeys", fresh.preKeys().size());
  }

  /**
   * The file beside the store that records which identity was last uploaded (a SHA-256 of its
   * public keys: public data). Missing or different at login: the upload is redone.
   */
  private Path uploadMarker() {
    return storeDir(config, username).resolveSibling("uploaded-identity");
  }

  private String identityDigest() throws LocalStoreException {
    try {
      byte[] h =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(store.identity().publicKey().keyBytes());
      return java.util.HexFormat.of().formatHex(h);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private boolean identityUploaded() throws LocalStoreException {
    try {
      return java.nio.file.Files.readString(uploadMarker()).strip().equals(identityDigest());
    } catch (IOException e) {
      return false;
    }
  }

  private void markIdentityUploaded() throws LocalStoreException {
    try {
      java.nio.file.Files.writeString(uploadMarker(), identityDigest() + "\n");
    } catch (IOException e) {
      logger.warn("could not record the uploaded identity: {}", e.getMessage());
    }
  }

  private void uploadFull(Session s, PreKeySet set, boolean replace)
      throws ServerException, IOException, InterruptedException, LocalStoreException {
    upload(s, set.oneTimePreKeys(), set.oneTimeKemPreKeys(), replace);
    if (replace) {
      markIdentityUploaded();
    }
  }

  private void upload(
      Session s, List<PreKeyRecord> opks, List<KemPreKeyRecord> kems, boolean replace)
      throws ServerException, IOException, InterruptedException, LocalStoreException {
    IdentityKeyPair identity = store.identity();
    IdentityKey pub = identity.publicKey();
    byte[] enc = pub.serialize();
    SignedPreKeyRecord spk = newestSignedPreKey();
    KemPreKeyRecord lastResort = null;
    try (Transaction tx = store.begin()) {
      for (KemPreKeyRecord k : tx.keyStores().kemPreKeys().loadKemPreKeys()) {
        if (k.lastResort()
            && (lastResort == null || k.createdAtMillis() > lastResort.createdAtMillis())) {
          lastResort = k;
        }
      }
    }
    if (spk == null || lastResort == null) {
      throw new IllegalStateException("the local store has no signed or last-resort prekey");
    }
    UploadPreKeys.Builder b =
        UploadPreKeys.newBuilder()
            .setDeviceId(deviceId)
            .setIdentitySigningKey(ByteString.copyFrom(pub.signingKey()))
            .setIdentityAgreementKey(
                SignedPreKey.newBuilder()
                    .setPublicKey(ByteString.copyFrom(pub.agreementKey()))
                    .setSignature(ByteString.copyFrom(Arrays.copyOfRange(enc, 64, 128))))
            .setSignedPreKey(
                SignedPreKey.newBuilder()
                    .setId(spk.id())
                    .setPublicKey(ByteString.copyFrom(spk.keyPair().publicKey()))
                    .setSignature(ByteString.copyFrom(spk.signature())))
            .setLastResortKemPreKey(
                SignedPreKey.newBuilder()
                    .setId(lastResort.id())
                    .setPublicKey(ByteString.copyFrom(lastResort.keyPair().publicKey()))
                    .setSignature(ByteString.copyFrom(lastResort.signature())))
            .setReplace(replace);
    for (PreKeyRecord r : opks) {
      b.addOneTimePreKeys(
          OneTimePreKey.newBuilder()
              .setId(r.id())
              .setPublicKey(ByteString.copyFrom(r.keyPair().publicKey())));
    }
    for (KemPreKeyRecord r : kems) {
      b.addOneTimeKemPreKeys(
          SignedPreKey.newBuilder()
              .setId(r.id())
              .setPublicKey(ByteString.copyFrom(r.keyPair().publicKey()))
              .setSignature(ByteString.copyFrom(r.signature())));
    }
    s.connection().call(Frame.newBuilder().setUploadPreKeys(b), Frame.BodyCase.OK);
  }

  private SignedPreKeyRecord newestSignedPreKey() {
    SignedPreKeyRecord newest = null;
    try (Transaction tx = store.begin()) {
      for (SignedPreKeyRecord r : tx.keyStores().signedPreKeys().loadSignedPreKeys()) {
        if (newest == null || r.createdAtMillis() > newest.createdAtMillis()) {
          newest = r;
        }
      }
    }
    return newest;
  }

  // ------------------------------------------------------------------ connection

  private Session currentSession() throws NotConnectedException {
    Link l = link;
    if (l == null || !l.usable()) {
      throw new NotConnectedException(
          "Not connected to " + config.server() + " right now; try again when reconnected.");
    }
    return l.session;
  }

  /** Sends a request on the current connection; fails with ServerException for an Error. */
  private CompletableFuture<Frame> call(Frame.Builder request, Frame.BodyCase expected) {
    Session s;
    try {
      s = currentSession();
    } catch (NotConnectedException e) {
      return CompletableFuture.failedFuture(e);
    }
    return s.connection()
        .request(request)
        .thenCompose(
            f -> {
              if (f.getBodyCase() == Frame.BodyCase.ERROR) {
                return CompletableFuture.failedFuture(ServerException.of(f.getError()));
              }
              if (f.getBodyCase() != expected) {
                return CompletableFuture.failedFuture(
                    new ProtocolException(
                        "The server answered with " + f.getBodyCase() + " instead of " + expected));
              }
              return CompletableFuture.completedFuture(f);
            });
  }

  private void connectionLost(Link l, String reason) {
    if (closed.get() || link != l) {
      return;
    }
    logger.info("connection lost: {}", reason);
    runOnWorker(
        () -> {
          reconnectAttempt = 0;
          scheduleReconnect(reason);
        });
  }

  private void scheduleReconnect(String reason) {
    if (closed.get()) {
      return;
    }
    long base = config.reconnectInitial().toMillis();
    long max = config.reconnectMax().toMillis();
    long exp = base << Math.min(reconnectAttempt, 20);
    long capped = Math.min(max, exp <= 0 ? max : exp);
    // "Equal jitter": half fixed, half random, so clients that dropped together spread out.
    long delay = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
    Instant next = Instant.now().plusMillis(delay);
    setStatus(new ConnectionStatus.Reconnecting(next, reconnectAttempt, reason));
    try {
      timer.schedule(this::reconnect, delay, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Closed.
    }
  }

  private void reconnect() {
    if (closed.get()) {
      return;
    }
    Link fresh = new Link();
    ForwardingListener forward = new ForwardingListener(fresh);
    Session s = null;
    try {
      ServerTrust pinnedOnly =
          new ServerTrust(
              config.trust().knownServers(), config.trust().explicit(), TrustPrompt.REFUSE);
      s = Session.connect(config.server(), pinnedOnly, config.client(), forward);
      s.resume(keys);
      fresh.session = s;
      Session session = s;
      runOnWorker(() -> reconnected(fresh, session));
    } catch (ServerException e) {
      closeQuietly(s);
      if (e.code() == ErrorCode.AUTH_FAILED || e.code() == ErrorCode.ACCOUNT_DISABLED) {
        goOffline(e.getMessage());
      } else {
        retry(e.getMessage());
      }
    } catch (CertificateChangedException | UntrustedServerException e) {
      closeQuietly(s);
      goOffline(e.getMessage());
    } catch (IOException | RuntimeException e) {
      closeQuietly(s);
      retry(String.valueOf(e.getMessage()));
    } catch (InterruptedException e) {
      closeQuietly(s);
      Thread.currentThread().interrupt();
    }
  }

  private void retry(String reason) {
    runOnWorker(
        () -> {
          reconnectAttempt++;
          scheduleReconnect(reason);
        });
  }

  private void goOffline(String reason) {
    runOnWorker(() -> setStatus(new ConnectionStatus.Offline(reason)));
  }

  private void reconnected(Link fresh, Session s) {
    if (closed.get()) {
      closeQuietly(s);
      return;
    }
    link = fresh;
    if (s.connection().isClosed()) {
      // It dropped again before we got here: its onClosed was ignored while it was not current.
      scheduleReconnect("the connection dropped again");
      return;
    }
    reconnectAttempt = 0;
    logger.info("reconnected to {}", config.server());
    setStatus(new ConnectionStatus.Online());
    if (presence != Presence.ONLINE) {
      s.connection()
          .request(
              Frame.newBuilder()
                  .setSetPresence(SetPresence.newBuilder().setPresence(toWire(presence))));
    }
    try {
      checkPreKeys(s);
    } catch (Exception e) {
      logger.info("prekey check after reconnect failed: {}", e.getMessage());
    }
    resendOutbox(fresh);
    unpark();
  }

  private void setStatus(ConnectionStatus s) {
    status = s;
    emit(new MessengerEvent.ConnectionChanged(s));
  }

  // ------------------------------------------------------------------ closing

  /**
   * Logs out, stops reconnecting, waits for the work in hand (commits finish; nothing half-done is
   * left) and closes the local store. Sends still in the outbox go at the next start. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    timer.shutdownNow();
    Link l = link;
    worker.shutdown();
    try {
      if (!worker.awaitTermination(30, TimeUnit.SECONDS)) {
        logger.warn("messenger work did not finish within 30 s");
        worker.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (l != null) {
      closeQuietly(l.session);
    }
    for (var q : parked.values()) {
      for (Parked p : q) {
        p.future()
            .completeExceptionally(
                new NotConnectedException("Closed before the server could be reached."));
      }
    }
    parked.clear();
    store.close();
    AccountKeys k = keys;
    if (k != null) {
      k.destroy();
    }
    for (CompletableFuture<Message> w : storedWaiters.values()) {
      w.completeExceptionally(
          new NotConnectedException("Closed before the server acknowledged the message."));
    }
    storedWaiters.clear();
    status = new ConnectionStatus.Offline("Logged out.");
    MessengerEvent last = new MessengerEvent.ConnectionChanged(status);
    emit(last);
    eventThread.shutdown();
    try {
      eventThread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    logger.info("messenger for {} closed", username);
  }

  /**
   * Simulates a dropped connection (tests and the TUI's "reconnect now"): closes the current
   * connection without logging out, so the messenger reconnects as after a network failure.
   */
  public void dropConnection() {
    Link l = link;
    if (l != null && l.session != null) {
      l.session.connection().close();
    }
  }

  private void shutdownThreads() {
    closed.set(true);
    timer.shutdownNow();
    worker.shutdownNow();
    eventThread.shutdownNow();
  }

  // ------------------------------------------------------------------ plumbing

  @FunctionalInterface
  private interface Work {
    void run() throws Exception;
  }

  /** Runs {@code work} on the worker; its failure fails {@code f}. False if closed. */
  private boolean submit(CompletableFuture<?> f, Work work) {
    try {
      worker.execute(() -> runGuarded(f, work));
      return true;
    } catch (java.util.concurrent.RejectedExecutionException e) {
      f.completeExceptionally(new NotConnectedException("The messenger is closed."));
      return false;
    }
  }

  /** Runs {@code work} on this (the worker) thread; its failure fails {@code f}. */
  private void runGuarded(CompletableFuture<?> f, Work work) {
    try {
      work.run();
    } catch (ExecutionException e) {
      f.completeExceptionally(e.getCause() == null ? e : e.getCause());
    } catch (Exception | Error e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      if (!(e instanceof InvalidInputException
          || e instanceof IdentityChangedException
          || e instanceof ServerException
          || e instanceof IOException)) {
        logger.warn("messenger task failed", e);
      }
      f.completeExceptionally(e);
    }
  }

  private void runOnWorker(Runnable r) {
    try {
      worker.execute(
          () -> {
            try {
              r.run();
            } catch (RuntimeException e) {
              logger.error("messenger task failed", e);
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Closed.
    }
  }

  private void emit(MessengerEvent event) {
    try {
      eventThread.execute(
          () -> {
            for (MessengerListener l : listeners) {
              try {
                l.onEvent(event);
              } catch (RuntimeException e) {
                logger.error("listener failed on {}", event.getClass().getSimpleName(), e);
              }
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Closed.
    }
  }

  private void problem(String sentence) {
    emit(new MessengerEvent.Problem(sentence));
  }

  private String peerName(String user) throws InvalidInputException {
    String peer = Session.normalizeUsername(user);
    if (peer.equals(username)) {
      throw new InvalidInputException("Messages to yourself are not supported.");
    }
    return peer;
  }

  private static ProtocolAddress address(String peer) {
    return new ProtocolAddress(peer, Session.DEVICE_ID);
  }

  private SafetyNumber safetyNumberWith(String peer, IdentityKey theirs)
      throws LocalStoreException {
    return SafetyNumber.of(username, store.identity().publicKey(), peer, theirs);
  }

  static Message toMessage(HistoryEntry h, MessageState state) {
    byte[] raw = h.content();
    Message.Kind kind;
    String text = "";
    Instant ts = Instant.ofEpochMilli(h.timestampMillis());
    Instant sentAt = ts;
    if (raw.length == 0) {
      kind = Message.Kind.UNDECRYPTABLE;
    } else {
      kind = Message.Kind.UNSUPPORTED;
      try {
        Content c = Content.parseFrom(raw);
        if (c.getSentAtMs() > 0) {
          sentAt = Instant.ofEpochMilli(c.getSentAtMs());
        }
        if (c.getVersion() == CONTENT_VERSION && c.getBodyCase() == Content.BodyCase.TEXT) {
          kind = Message.Kind.TEXT;
          text = c.getText().getBody();
        }
      } catch (InvalidProtocolBufferException e) {
        kind = Message.Kind.UNSUPPORTED;
      }
    }
    return new Message(
        h.conversation(),
        h.seq(),
        MessageId.of(h.messageId()),
        h.direction() == Direction.INCOMING
            ? Message.Direction.INCOMING
            : Message.Direction.OUTGOING,
        h.sender(),
        ts,
        sentAt,
        kind,
        text,
        state);
  }

  static MessageState fromStore(dev.sotto.keystore.store.MessageState s) {
    return switch (s) {
      case PENDING -> MessageState.SENDING;
      case SENT -> MessageState.STORED;
      case DELIVERED -> MessageState.DELIVERED;
      case READ -> MessageState.READ;
      case FAILED -> MessageState.FAILED;
      case RECEIVED -> MessageState.UNREAD;
      case SEEN -> MessageState.SEEN;
    };
  }

  static dev.sotto.keystore.store.MessageState toStore(MessageState s) {
    return switch (s) {
      case SENDING -> dev.sotto.keystore.store.MessageState.PENDING;
      case STORED -> dev.sotto.keystore.store.MessageState.SENT;
      case DELIVERED -> dev.sotto.keystore.store.MessageState.DELIVERED;
      case READ -> dev.sotto.keystore.store.MessageState.READ;
      case FAILED -> dev.sotto.keystore.store.MessageState.FAILED;
      case UNREAD -> dev.sotto.keystore.store.MessageState.RECEIVED;
      case SEEN -> dev.sotto.keystore.store.MessageState.SEEN;
    };
  }

  static Presence fromWire(PresenceState p) {
    return switch (p) {
      case ONLINE -> Presence.ONLINE;
      case AWAY -> Presence.AWAY;
      case DND -> Presence.DND;
      default -> Presence.OFFLINE;
    };
  }

  static PresenceState toWire(Presence p) {
    return switch (p) {
      case ONLINE -> PresenceState.ONLINE;
      case AWAY -> PresenceState.AWAY;
      case DND -> PresenceState.DND;
      case OFFLINE -> PresenceState.OFFLINE;
    };
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  private static void closeQuietly(Session s) {
    if (s != null) {
      try {
        s.close();
      } catch (RuntimeException e) {
        logger.debug("closing a session failed: {}", e.getMessage());
      }
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
