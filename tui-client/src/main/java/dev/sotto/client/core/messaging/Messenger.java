package dev.sotto.client.core.messaging;

import static dev.sotto.client.core.messaging.Context.now;

import dev.sotto.client.core.CertificateChangedException;
import dev.sotto.client.core.InvalidInputException;
import dev.sotto.client.core.LoggedIn;
import dev.sotto.client.core.PushListener;
import dev.sotto.client.core.ServerException;
import dev.sotto.client.core.Session;
import dev.sotto.client.core.UntrustedServerException;
import dev.sotto.keystore.account.AccountKeys;
import dev.sotto.keystore.identity.IdentityKeyPair;
import dev.sotto.keystore.prekey.PreKeyBundle;
import dev.sotto.keystore.prekey.PreKeySet;
import dev.sotto.keystore.store.Conversation;
import dev.sotto.keystore.store.Direction;
import dev.sotto.keystore.store.HistoryEntry;
import dev.sotto.keystore.store.LocalStore;
import dev.sotto.keystore.store.LocalStoreException;
import dev.sotto.keystore.store.NoLocalStoreException;
import dev.sotto.keystore.store.TrustState;
import dev.sotto.wire.proto.Block;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.ListUsers;
import dev.sotto.wire.proto.PreKeyBundleResponse;
import dev.sotto.wire.proto.PresenceState;
import dev.sotto.wire.proto.SetPresence;
import dev.sotto.wire.proto.Unblock;
import dev.sotto.wire.proto.UserList;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
 * end-to-end messages that travel through the outbox too. A first message to a contact written
 * while the server is away (a session needs their prekey bundle) is committed with its history row
 * as a sealed pending send and moved to the outbox, in order, once the session exists, after a
 * reconnect or a restart. Messages from a contact whose identity changed are committed as sealed
 * pending receipts and acked (so they never fill the server's in-flight window), and decrypted when
 * the user accepts the new identity ({@link #trust}).
 *
 * <p><b>Parts.</b> This class is a facade; the work is done on one worker thread by package-private
 * parts sharing a {@link Context}: {@link ConnectionSupervisor} (connection, reconnects), {@link
 * Outbox} (sending, pending sends), {@link Receiver} (receiving, acks, receipts, held messages),
 * {@link SessionSetup}, {@link PreKeyMaintenance}, {@link TrustDecisions} and {@link PresenceWatch}
 * (whose presence the server pushes: the peers of the conversations).
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
  static final int PREKEY_LOW_WATER = PreKeyMaintenance.PREKEY_LOW_WATER;

  /** Largest text accepted by {@link #send}, in UTF-8 bytes. */
  public static final int MAX_TEXT_BYTES = 64 * 1024;

  private final Context ctx;

  private Messenger(Context ctx) {
    this.ctx = ctx;
  }

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
    List<Frame> early = Collections.synchronizedList(new ArrayList<>());
    PushListener buffer =
        new PushListener() {
          @Override
          public void onPush(Frame push) {
            early.add(push);
          }
        };
    // The first connection's pushes are buffered until the store is open, then replayed.
    ConnectionSupervisor.ForwardingListener forward =
        new ConnectionSupervisor.ForwardingListener(buffer);
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
    Context ctx = new Context(config, in.username(), in.deviceId(), store, in.keys());
    Messenger m = new Messenger(ctx);
    ctx.listeners.add(listener);
    ConnectionSupervisor.Link first = ctx.connection.new Link();
    first.session = session;
    ctx.connection.link = first;
    try {
      if (created) {
        PreKeySet set =
            PreKeySet.generate(store.identity(), config.preKeyCount(), now(), ctx.random);
        store.installPreKeys(set);
        ctx.preKeys.uploadFull(session, set, true);
      } else if (!ctx.preKeys.identityUploaded()) {
        // A crash between making the identity (new store, resetkeys) and its upload, or an
        // imported store: the server may hold another identity's prekeys. Replace them.
        ctx.preKeys.topUp(session, false, true, 0);
        ctx.preKeys.markIdentityUploaded();
      } else {
        ctx.preKeys.checkPreKeys(session);
      }
    } catch (ServerException
        | IOException
        | InterruptedException
        | LocalStoreException
        | RuntimeException e) {
      session.close();
      ctx.shutdownThreads();
      store.close();
      in.keys().destroy();
      throw e;
    }
    synchronized (forward) {
      // onPush holds the same lock: no push slips between the buffer and the messenger.
      forward.target = first;
      for (Frame f : early) {
        ctx.receiver.enqueue(first, f);
      }
      early.clear();
    }
    if (session.connection().isClosed()) {
      ctx.connection.connectionLost(first, "the connection dropped during the login");
    }
    ctx.receiver.scheduleDrain();
    ctx.worker.execute(
        () -> {
          ctx.presenceWatch.sendAll();
          ctx.outbox.resendOutbox(first);
          ctx.outbox.flushPendingSends();
        });
    // The server remembers a chosen presence across connections (e.g. 'sotto status dnd').
    m.users()
        .thenAccept(
            list ->
                list.stream()
                    .filter(u -> u.name().equals(ctx.username) && u.presence() != Presence.OFFLINE)
                    .findFirst()
                    .ifPresent(u -> ctx.connection.presence = u.presence()));
    logger.info("messenger for {} started (new identity: {})", in.username(), created);
    return m;
  }

  /** The logged-in account's canonical name. */
  public String username() {
    return ctx.username;
  }

  /** The connection's state now. */
  public ConnectionStatus connectionStatus() {
    return ctx.connection.status;
  }

  /**
   * The presence this account chose ({@link #setPresence}); after login the one the server
   * remembers (ONLINE until the first answer arrives).
   */
  public Presence presence() {
    return ctx.connection.presence;
  }

  /** Adds a listener (called on the event thread). */
  public void addListener(MessengerListener listener) {
    ctx.listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Removes a listener. */
  public void removeListener(MessengerListener listener) {
    ctx.listeners.remove(listener);
  }

  /**
   * Every conversation, most recently active first, with its unread count (kept in the local store,
   * so it survives restarts).
   */
  public List<ConversationSummary> conversations() throws LocalStoreException {
    List<ConversationSummary> out = new ArrayList<>();
    for (Conversation c : ctx.store.conversations()) {
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
    List<HistoryEntry> rows = ctx.store.history(peer, beforeSeq, limit);
    List<Message> out = new ArrayList<>(rows.size());
    for (int i = rows.size() - 1; i >= 0; i--) {
      HistoryEntry h = rows.get(i);
      out.add(toMessage(h, stateOf(h)));
    }
    return out;
  }

  private MessageState stateOf(HistoryEntry h) throws LocalStoreException {
    return ctx.store
        .messageState(h.messageId())
        .map(Conversions::fromStore)
        .orElse(h.direction() == Direction.INCOMING ? MessageState.UNREAD : MessageState.SENDING);
  }

  /**
   * Sends a text to {@code user}: sets up a session from their prekey bundle when there is none,
   * encrypts, commits to the outbox, sends. See {@link Outgoing} for the two futures and how they
   * fail. Messages to one user keep their order.
   */
  public Outgoing send(String user, String text) {
    return ctx.outbox.send(user, text);
  }

  /**
   * Marks every message of the conversation read: the unread count drops to 0, the messages become
   * {@link MessageState#SEEN}, and (when {@link MessengerConfig#sendReadReceipts()}) a read receipt
   * goes to the peer through the outbox.
   */
  public CompletableFuture<Void> markRead(String user) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    ctx.submit(f, () -> ctx.receiver.doMarkRead(user, f));
    return f;
  }

  /**
   * Turns read receipts on or off for later {@link #markRead} calls (initially {@link
   * MessengerConfig#sendReadReceipts()}). Delivery receipts are always sent.
   */
  public void setReadReceipts(boolean send) {
    ctx.receiver.readReceipts = send;
  }

  /** Whether {@link #markRead} sends read receipts. */
  public boolean readReceipts() {
    return ctx.receiver.readReceipts;
  }

  /** Every user of the server with their presence and whether this account blocks them. */
  public CompletableFuture<List<UserInfo>> users() {
    return ctx.connection
        .call(
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
   * Watches {@code user}'s presence from now on (a conversation opened before its first message):
   * the server pushes their presence at once and then its changes, as {@link
   * MessengerEvent.PresenceChanged}. The peers of every conversation are watched without asking
   * (after login, after each reconnect, and when a message to or from a new peer is committed),
   * most recently active first, at most {@link dev.sotto.wire.WireLimits#MAX_WATCHED_USERS}. Short
   * CLI commands (not receiving) watch nobody.
   */
  public CompletableFuture<Void> watchPresence(String user) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    ctx.submit(
        f,
        () -> {
          ctx.presenceWatch.add(ctx.peerName(user));
          f.complete(null);
        });
    return f;
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
    ctx.connection.presence = p;
    return ctx.connection
        .call(
            Frame.newBuilder()
                .setSetPresence(SetPresence.newBuilder().setPresence(Conversions.toWire(p))),
            Frame.BodyCase.OK)
        .thenApply(f -> null);
  }

  /** Blocks {@code user}: the server drops their messages to this account (they see one tick). */
  public CompletableFuture<Void> block(String user) {
    return nameThen(
        user,
        n ->
            ctx.connection.call(
                Frame.newBuilder().setBlock(Block.newBuilder().setUsername(n)), Frame.BodyCase.OK));
  }

  /** Unblocks {@code user}. */
  public CompletableFuture<Void> unblock(String user) {
    return nameThen(
        user,
        n ->
            ctx.connection.call(
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

  /**
   * The safety number with {@code user}. Without a pinned identity yet, a session is made first
   * (fetching their bundle pins it). For a contact whose identity changed, the NEW number.
   */
  public CompletableFuture<SafetyNumberView> safetyNumber(String user) {
    CompletableFuture<SafetyNumberView> f = new CompletableFuture<>();
    ctx.submit(f, () -> f.complete(ctx.trust.doSafetyNumber(ctx.peerName(user))));
    return f;
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
    ctx.submit(
        f,
        () -> {
          String peer = ctx.peerName(user);
          SafetyNumberView v = ctx.trust.doSafetyNumber(peer);
          boolean match = ctx.trust.safetyNumberMatches(v.number(), digits);
          if (match) {
            ctx.trust.accept(peer, TrustState.VERIFIED);
          }
          f.complete(match);
        });
    return f;
  }

  /**
   * Accepts {@code user}'s current identity after a change: pins it, drops the old session (the
   * next send makes a new one), and processes the messages that waited for it. Does nothing for a
   * contact whose identity did not change.
   */
  public CompletableFuture<Void> trust(String user) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    ctx.submit(
        f,
        () -> {
          ctx.trust.accept(ctx.peerName(user), TrustState.FIRST_USE);
          f.complete(null);
        });
    return f;
  }

  /**
   * Replaces this account's identity and prekeys (contacts will see a changed safety number), and
   * uploads the new prekeys. History and contacts are kept; every session is dropped.
   */
  public CompletableFuture<Void> resetKeys() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    ctx.submit(
        f,
        () -> {
          Session s = ctx.connection.currentSession();
          PreKeySet set = ctx.store.resetKeys(ctx.config.preKeyCount(), now());
          ctx.preKeys.uploadFull(s, set, true);
          ctx.preKeys.markIdentityUploaded();
          logger.info("identity of {} renewed", ctx.username);
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
    ctx.submit(
        f,
        () -> {
          Session s = ctx.connection.currentSession();
          AccountKeys fresh = s.changePassword(oldPassword, newPassword);
          AccountKeys old = ctx.keys;
          ctx.store.changeStoreKey(old.storeKey(), fresh.storeKey());
          ctx.keys = fresh;
          old.destroy();
          f.complete(null);
        });
    return f;
  }

  /**
   * Logs out, stops reconnecting, waits for the work in hand (commits finish; nothing half-done is
   * left) and closes the local store. Sends still in the outbox go at the next start. Idempotent.
   */
  @Override
  public void close() {
    if (!ctx.closed.compareAndSet(false, true)) {
      return;
    }
    ctx.timer.shutdownNow();
    ConnectionSupervisor.Link l = ctx.connection.link;
    ctx.worker.shutdown();
    try {
      if (!ctx.worker.awaitTermination(30, TimeUnit.SECONDS)) {
        logger.warn("messenger work did not finish within 30 s");
        ctx.worker.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (l != null) {
      Context.closeQuietly(l.session);
    }
    ctx.store.close();
    AccountKeys k = ctx.keys;
    if (k != null) {
      k.destroy();
    }
    ctx.outbox.failWaiters();
    ConnectionStatus offline = new ConnectionStatus.Offline("Logged out.");
    ctx.connection.status = offline;
    MessengerEvent last = new MessengerEvent.ConnectionChanged(offline);
    ctx.emit(last);
    ctx.eventThread.shutdown();
    try {
      ctx.eventThread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    logger.info("messenger for {} closed", ctx.username);
  }

  /**
   * Simulates a dropped connection (tests and the TUI's "reconnect now"): closes the current
   * connection without logging out, so the messenger reconnects as after a network failure.
   */
  public void dropConnection() {
    ctx.connection.dropConnection();
  }

  static Message toMessage(HistoryEntry h, MessageState state) {
    return Conversions.toMessage(h, state);
  }

  static MessageState fromStore(dev.sotto.keystore.store.MessageState s) {
    return Conversions.fromStore(s);
  }

  static dev.sotto.keystore.store.MessageState toStore(MessageState s) {
    return Conversions.toStore(s);
  }

  static Presence fromWire(PresenceState p) {
    return Conversions.fromWire(p);
  }

  static PresenceState toWire(Presence p) {
    return Conversions.toWire(p);
  }

  static PreKeyBundle toBundle(String peer, PreKeyBundleResponse r) throws ProtocolException {
    return Conversions.toBundle(peer, r);
  }
}
