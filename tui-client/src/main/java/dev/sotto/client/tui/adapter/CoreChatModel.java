package dev.sotto.client.tui.adapter;

import dev.sotto.client.core.ClientOptions;
import dev.sotto.client.core.ClientPaths;
import dev.sotto.client.core.InvalidInputException;
import dev.sotto.client.core.ServerAddress;
import dev.sotto.client.core.ServerTrust;
import dev.sotto.client.core.Session;
import dev.sotto.client.core.messaging.ConnectionStatus;
import dev.sotto.client.core.messaging.ConversationSummary;
import dev.sotto.client.core.messaging.IdentityChangedException;
import dev.sotto.client.core.messaging.Message;
import dev.sotto.client.core.messaging.MessageState;
import dev.sotto.client.core.messaging.Messenger;
import dev.sotto.client.core.messaging.MessengerConfig;
import dev.sotto.client.core.messaging.MessengerEvent;
import dev.sotto.client.core.messaging.SafetyNumberView;
import dev.sotto.client.tui.model.Account;
import dev.sotto.client.tui.model.ChatItem;
import dev.sotto.client.tui.model.ChatModel;
import dev.sotto.client.tui.model.ConnectionState;
import dev.sotto.client.tui.model.Conversation;
import dev.sotto.client.tui.model.DeliveryState;
import dev.sotto.client.tui.model.ModelChange;
import dev.sotto.client.tui.model.Presence;
import dev.sotto.client.tui.model.UserInfo;
import dev.sotto.keystore.store.NoLocalStoreException;
import dev.sotto.keystore.store.StoreLockedException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The main screen's {@link ChatModel} on the core's {@link Messenger}. One instance serves
 * successive logins: {@link CoreLoginController} opens a messenger through it, {@link #logout()}
 * closes it.
 *
 * <p>The UI's snapshots ({@link #conversations()}, {@link #messages}) are kept in memory, guarded
 * by this object's lock, and updated from the messenger's events; nothing the UI thread calls reads
 * the disk or the network. A conversation's history is read from the local store (newest {@value
 * #HISTORY_LIMIT} messages) on the worker when it is opened; events that arrive while it loads are
 * kept and replayed on the loaded list, so no message or tick is lost in between.
 *
 * <p>The conversation list keeps a stable order (the messenger's most-recent-first order at login,
 * new conversations appended) so that Alt+N always opens the same one. Gaps and safety-number
 * notices are not part of the stored history: they are kept for the session and shown in time
 * order. Muting and the read-receipt choice are kept in {@code tui.properties} in the account's
 * data directory.
 */
public final class CoreChatModel implements ChatModel, AccountOpener {

  /**
   * The logger, created on first use: initialising Logback costs 300-400 ms here and would delay
   * the first frame (see {@link TuiMain}).
   */
  private static final class Log {
    static final Logger logger = LoggerFactory.getLogger(CoreChatModel.class);
  }

  /** Messages read from the local store when a conversation is opened. */
  static final int HISTORY_LIMIT = 1000;

  /** Session-only items kept per conversation (gaps, notices); older ones are dropped. */
  static final int MAX_EXTRAS = 200;

  private final ClientPaths paths;
  private final ClientOptions options;
  private final Executor worker;
  private final Clock clock;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();

  // Guarded by this.
  private final Map<String, Conv> convs = new LinkedHashMap<>();
  private final Map<String, Presence> presence = new HashMap<>();
  private List<Conversation> snapshot = List.of();
  private TuiPreferences prefs;
  private String noStoreAsked = "";

  private volatile Messenger messenger;
  private volatile Account account = new Account("", "");
  private volatile ConnectionState connection = new ConnectionState.Offline("Not logged in.");

  /** One conversation's state. Guarded by the model's lock. */
  private static final class Conv {
    final String peer;
    int unread;
    Instant lastActivity = Instant.EPOCH;
    boolean changed;

    /** The loaded history (null until loaded), oldest first, plus session-only items. */
    List<ChatItem> items;

    /** Events that arrived while the history was loading. */
    List<MessengerEvent> pending;

    final List<ChatItem> extras = new ArrayList<>();
    List<ChatItem> itemsSnapshot = List.of();

    Conv(String peer) {
      this.peer = peer;
    }
  }

  /**
   * Creates the model.
   *
   * @param paths where the local stores and preferences live
   * @param options connection and key-derivation options
   * @param worker runs every blocking core call (never the UI thread)
   */
  public CoreChatModel(ClientPaths paths, ClientOptions options, Executor worker) {
    this(paths, options, worker, Clock.systemUTC());
  }

  CoreChatModel(ClientPaths paths, ClientOptions options, Executor worker, Clock clock) {
    this.paths = Objects.requireNonNull(paths, "paths");
    this.options = Objects.requireNonNull(options, "options");
    this.worker = Objects.requireNonNull(worker, "worker");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  // ------------------------------------------------------------------ login

  @Override
  public void open(
      ServerAddress server,
      ServerTrust trust,
      String username,
      char[] password,
      boolean register,
      String invite)
      throws Exception {
    if (messenger != null) {
      close();
    }
    TuiPreferences p = TuiPreferences.load(paths.accountDir(server, username));
    String who = server + "/" + username;
    MessengerConfig config =
        configFor(server, trust)
            .withReadReceipts(p.readReceipts())
            // A login on a machine without this account's store makes a new identity only when
            // the user logs in a second time after the warning.
            .withAllowNewIdentity(register || who.equals(noStoreAsked));
    Messenger m;
    try {
      m =
          register
              ? Messenger.register(config, username, password, invite, this::onEvent)
              : Messenger.login(config, username, password, this::onEvent);
    } catch (NoLocalStoreException e) {
      noStoreAsked = who;
      throw new NoLocalStoreException(
          "This machine has no keys for "
              + username
              + ". Log in again to make a new identity here (your contacts will see a changed"
              + " safety number), or quit and import an export with 'sotto import'.");
    } catch (StoreLockedException e) {
      throw new StoreLockedException(
          username
              + " is already open in another Sotto client on this machine; quit that one first ("
              + e.getMessage()
              + ").",
          e);
    } catch (InvalidInputException e) {
      if (register && invite.isEmpty() && e.getMessage().contains("invite")) {
        throw new InviteNeededException(
            "The server " + server + " takes new accounts by invite only; enter the invite code.");
      }
      throw e;
    }
    noStoreAsked = "";
    List<ConversationSummary> list;
    try {
      list = m.conversations();
    } catch (Exception e) {
      m.close();
      throw e;
    }
    synchronized (this) {
      convs.clear();
      presence.clear();
      prefs = p;
      for (ConversationSummary s : list) {
        Conv c = new Conv(s.peer());
        c.unread = s.unread();
        c.lastActivity = s.lastActivity();
        convs.put(s.peer(), c);
      }
      rebuildSnapshot();
    }
    messenger = m;
    account = new Account(m.username(), server.toString());
    connection = map(m.connectionStatus());
    fire(new ModelChange.ConnectionChanged());
    fire(new ModelChange.ConversationsChanged());
    refreshPresence(m);
  }

  /** The messenger's configuration for {@code server}; tests lower prekey counts through it. */
  MessengerConfig configFor(ServerAddress server, ServerTrust trust) {
    return MessengerConfig.of(server, trust, options, paths);
  }

  private void refreshPresence(Messenger m) {
    m.users()
        .whenComplete(
            (users, e) -> {
              if (e != null) {
                Log.logger.info("user list after login failed: {}", e.toString());
                return;
              }
              synchronized (this) {
                for (var u : users) {
                  presence.put(u.name(), map(u.presence()));
                }
                rebuildSnapshot();
              }
              fire(new ModelChange.ConversationsChanged());
            });
  }

  // ------------------------------------------------------------------ events

  void onEvent(MessengerEvent event) {
    try {
      handle(event);
    } catch (RuntimeException e) {
      Log.logger.error("handling {} failed", event.getClass().getSimpleName(), e);
    }
  }

  private void handle(MessengerEvent event) {
    if (event instanceof MessengerEvent.MessageReceived r) {
      Message m = r.message();
      ChatItem item = toItem(m);
      synchronized (this) {
        Conv c = conv(m.peer());
        c.lastActivity = later(c.lastActivity, m.timestamp());
        if (m.direction() == Message.Direction.INCOMING && m.state() == MessageState.UNREAD) {
          // Counted now, not only when the UnreadChanged that follows sets the exact figure: the
          // UI answers Arrived with markRead on its own thread, which may run before that event is
          // handled here, and markRead skips a conversation with nothing unread (the reply to
          // "typed while the server was down" then never turned to read).
          c.unread++;
        }
        apply(c, event);
        rebuildSnapshot();
      }
      fire(new ModelChange.ConversationsChanged());
      fire(new ModelChange.MessagesChanged(m.peer()));
      fire(new ModelChange.Arrived(m.peer(), item));
    } else if (event instanceof MessengerEvent.MessageSent s) {
      Message m = s.message();
      synchronized (this) {
        Conv c = conv(m.peer());
        c.lastActivity = later(c.lastActivity, m.timestamp());
        apply(c, event);
        rebuildSnapshot();
      }
      fire(new ModelChange.ConversationsChanged());
      fire(new ModelChange.MessagesChanged(m.peer()));
    } else if (event instanceof MessengerEvent.MessageStateChanged sc) {
      synchronized (this) {
        Conv c = convs.get(sc.peer());
        if (c == null) {
          return;
        }
        apply(c, event);
      }
      fire(new ModelChange.MessagesChanged(sc.peer()));
    } else if (event instanceof MessengerEvent.UnreadChanged u) {
      synchronized (this) {
        conv(u.peer()).unread = u.unread();
        rebuildSnapshot();
      }
      fire(new ModelChange.ConversationsChanged());
    } else if (event instanceof MessengerEvent.PresenceChanged p) {
      synchronized (this) {
        presence.put(p.user(), map(p.presence()));
        rebuildSnapshot();
      }
      fire(new ModelChange.ConversationsChanged());
    } else if (event instanceof MessengerEvent.IdentityChanged ic) {
      ChatItem line =
          new ChatItem.SystemLine(
              ic.user()
                  + "'s safety number changed (they reset their keys or moved to another machine,"
                  + " or someone is in the middle). New number: "
                  + ic.safetyNumber()
                  + ". Compare it with "
                  + ic.user()
                  + " (!verify "
                  + ic.user()
                  + " DIGITS), then accept it with !trust "
                  + ic.user()
                  + ". Sending is blocked until then.",
              clock.instant());
      synchronized (this) {
        Conv c = conv(ic.user());
        c.changed = true;
        addExtra(c, line);
        rebuildSnapshot();
      }
      fire(new ModelChange.ConversationsChanged());
      fire(new ModelChange.MessagesChanged(ic.user()));
    } else if (event instanceof MessengerEvent.Gap g) {
      synchronized (this) {
        addExtra(conv(g.peer()), new ChatItem.Gap(g.missing(), clock.instant()));
      }
      fire(new ModelChange.MessagesChanged(g.peer()));
    } else if (event instanceof MessengerEvent.ConnectionChanged cc) {
      connection = map(cc.status());
      fire(new ModelChange.ConnectionChanged());
      if (cc.status() instanceof ConnectionStatus.Online) {
        Messenger m = messenger;
        if (m != null) {
          refreshPresence(m);
        }
      }
    } else if (event instanceof MessengerEvent.BacklogSummary b) {
      if (b.total() > 0) {
        StringBuilder sb = new StringBuilder();
        for (MessengerEvent.SenderCount sc : b.counts()) {
          sb.append(sb.length() == 0 ? "" : ", ")
              .append(sc.count())
              .append(" from ")
              .append(sc.sender());
        }
        fire(new ModelChange.Notice("Waiting for you: " + sb + "."));
      }
    } else if (event instanceof MessengerEvent.MessageHeld h) {
      String why =
          h.recipientPresence() == dev.sotto.client.core.messaging.Presence.DND
              ? " is in do-not-disturb"
              : " is offline";
      fire(
          new ModelChange.Notice(
              h.peer()
                  + why
                  + ": the server holds your message and delivers it when they are back."));
    } else if (event instanceof MessengerEvent.Problem p) {
      fire(new ModelChange.Notice(p.message()));
    } else if (event instanceof MessengerEvent.SendingPaused sp) {
      fire(new ModelChange.Notice(sendingPaused(sp)));
    }
    // Undecryptable: the message is in the history (MessageReceived, kind UNDECRYPTABLE) already.
    // BacklogDone: nothing to show.
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  /** Applies a message event to a conversation's loaded list, or keeps it until loaded. */
  private void apply(Conv c, MessengerEvent e) {
    if (c.items == null) {
      if (c.pending != null) {
        c.pending.add(e);
      }
      return;
    }
    if (e instanceof MessengerEvent.MessageReceived r) {
      addMessage(c, r.message());
    } else if (e instanceof MessengerEvent.MessageSent s) {
      addMessage(c, s.message());
    } else if (e instanceof MessengerEvent.MessageStateChanged sc) {
      String id = sc.id().toString();
      for (int i = c.items.size() - 1; i >= 0; i--) {
        if (c.items.get(i) instanceof ChatItem.Text t && t.id().equals(id)) {
          DeliveryState next = map(sc.state());
          if (t.outgoing() && rank(next) < rank(t.state())) {
            break; // ticks never go backwards (a late "stored" after "delivered")
          }
          c.items.set(
              i, new ChatItem.Text(t.id(), t.sender(), t.text(), t.time(), next, t.outgoing()));
          break;
        }
      }
      c.itemsSnapshot = List.copyOf(c.items);
    }
  }

  private static int rank(DeliveryState s) {
    return switch (s) {
      case SENDING -> 0;
      case STORED -> 1;
      case DELIVERED -> 2;
      case READ -> 3;
      case FAILED -> 4;
    };
  }

  private void addMessage(Conv c, Message m) {
    ChatItem item = toItem(m);
    if (item instanceof ChatItem.Text t) {
      for (int i = c.items.size() - 1; i >= 0 && i >= c.items.size() - 50; i--) {
        if (c.items.get(i) instanceof ChatItem.Text o && o.id().equals(t.id())) {
          return; // already loaded with the history
        }
      }
    }
    c.items.add(item);
    c.itemsSnapshot = List.copyOf(c.items);
  }

  private void addExtra(Conv c, ChatItem item) {
    c.extras.add(item);
    if (c.extras.size() > MAX_EXTRAS) {
      c.extras.remove(0);
    }
    if (c.items != null) {
      c.items.add(item);
      c.itemsSnapshot = List.copyOf(c.items);
    }
  }

  private Conv conv(String peer) {
    return convs.computeIfAbsent(peer, Conv::new);
  }

  /** Rebuilds the conversation list snapshot. Caller holds the lock. */
  private void rebuildSnapshot() {
    List<Conversation> out = new ArrayList<>(convs.size());
    for (Conv c : convs.values()) {
      out.add(
          new Conversation(
              c.peer,
              c.unread,
              presence.getOrDefault(c.peer, Presence.OFFLINE),
              prefs != null && prefs.muted(c.peer),
              c.lastActivity,
              c.changed));
    }
    snapshot = List.copyOf(out);
  }

  private void fire(ModelChange change) {
    for (Listener l : listeners) {
      try {
        l.onChange(change);
      } catch (RuntimeException e) {
        Log.logger.error("model listener failed", e);
      }
    }
  }

  // ------------------------------------------------------------------ mapping

  static ChatItem toItem(Message m) {
    return switch (m.kind()) {
      case TEXT ->
          new ChatItem.Text(
              m.id().toString(),
              m.sender(),
              m.text(),
              m.timestamp(),
              map(m.state()),
              !m.incoming());
      case UNDECRYPTABLE -> new ChatItem.Undecryptable(m.sender(), m.timestamp());
      case UNSUPPORTED ->
          new ChatItem.SystemLine(
              m.sender() + " sent a kind of message this version of Sotto cannot show.",
              m.timestamp());
    };
  }

  static DeliveryState map(MessageState s) {
    return switch (s) {
      case SENDING -> DeliveryState.SENDING;
      case STORED -> DeliveryState.STORED;
      case DELIVERED, UNREAD, SEEN -> DeliveryState.DELIVERED;
      case READ -> DeliveryState.READ;
      case FAILED -> DeliveryState.FAILED;
    };
  }

  static Presence map(dev.sotto.client.core.messaging.Presence p) {
    return switch (p) {
      case ONLINE -> Presence.ONLINE;
      case AWAY -> Presence.AWAY;
      case DND -> Presence.DND;
      case OFFLINE -> Presence.OFFLINE;
    };
  }

  static dev.sotto.client.core.messaging.Presence map(Presence p) {
    return switch (p) {
      case ONLINE -> dev.sotto.client.core.messaging.Presence.ONLINE;
      case AWAY -> dev.sotto.client.core.messaging.Presence.AWAY;
      case DND -> dev.sotto.client.core.messaging.Presence.DND;
      case OFFLINE -> dev.sotto.client.core.messaging.Presence.OFFLINE;
    };
  }

  static ConnectionState map(ConnectionStatus s) {
    if (s instanceof ConnectionStatus.Online) {
      return new ConnectionState.Connected();
    } else if (s instanceof ConnectionStatus.Reconnecting r) {
      return new ConnectionState.Reconnecting(r.nextAttempt(), r.reason());
    }
    return new ConnectionState.Offline(((ConnectionStatus.Offline) s).reason());
  }

  // ------------------------------------------------------------------ snapshots

  @Override
  public Account account() {
    return account;
  }

  @Override
  public ConnectionState connection() {
    return connection;
  }

  @Override
  public Presence presence() {
    Messenger m = messenger;
    if (m == null || !(connection instanceof ConnectionState.Connected)) {
      return Presence.OFFLINE;
    }
    return map(m.presence());
  }

  @Override
  public synchronized List<Conversation> conversations() {
    return snapshot;
  }

  @Override
  public synchronized List<ChatItem> messages(String peer) {
    Conv c = convs.get(peer);
    return c == null ? List.of() : c.itemsSnapshot;
  }

  @Override
  public void addListener(Listener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public void removeListener(Listener listener) {
    listeners.remove(listener);
  }

  // ------------------------------------------------------------------ actions

  private Messenger live() {
    Messenger m = messenger;
    if (m == null) {
      throw new CompletionException(new IllegalStateException("Not logged in."));
    }
    return m;
  }

  /** Runs {@code action} on the live messenger; a failure before it starts fails the future. */
  private <T> CompletableFuture<T> with(
      java.util.function.Function<Messenger, CompletableFuture<T>> action) {
    try {
      return action.apply(live());
    } catch (CompletionException e) {
      return CompletableFuture.failedFuture(e.getCause() == null ? e : e.getCause());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static String name(String user) {
    try {
      return Session.normalizeUsername(user);
    } catch (InvalidInputException e) {
      throw new CompletionException(e);
    }
  }

  @Override
  public CompletableFuture<Void> openConversation(String peer) {
    return CompletableFuture.supplyAsync(
            () -> {
              Messenger m = live();
              String p = name(peer);
              if (p.equals(m.username())) {
                throw new CompletionException(
                    new InvalidInputException("That is you; pick someone else."));
              }
              boolean known;
              synchronized (this) {
                known = convs.containsKey(p);
              }
              if (!known) {
                boolean exists = m.users().join().stream().anyMatch(u -> u.name().equals(p));
                if (!exists) {
                  throw new CompletionException(
                      new InvalidInputException("There is no user " + p + " on this server."));
                }
              }
              return p;
            },
            worker)
        .thenAcceptAsync(
            p -> {
              load(p);
              // Before its first message a conversation is not in the store: watch it by name.
              live().watchPresence(p);
            },
            worker);
  }

  /** Reads the conversation's newest history into memory (worker thread). */
  private void load(String peer) {
    Messenger m = live();
    boolean hadHistory;
    synchronized (this) {
      Conv c = conv(peer);
      hadHistory = c.lastActivity.isAfter(Instant.EPOCH);
      if (c.items != null) {
        return;
      }
      if (c.pending == null) {
        c.pending = new ArrayList<>();
      }
      rebuildSnapshot();
    }
    fire(new ModelChange.ConversationsChanged());
    List<Message> history;
    try {
      history = m.history(peer, Long.MAX_VALUE, HISTORY_LIMIT);
    } catch (Exception e) {
      synchronized (this) {
        convs.get(peer).pending = null;
      }
      throw new CompletionException(e);
    }
    synchronized (this) {
      Conv c = conv(peer);
      List<ChatItem> items = new ArrayList<>(history.size() + c.extras.size());
      for (Message msg : history) {
        items.add(toItem(msg));
      }
      if (!c.extras.isEmpty()) {
        items.addAll(c.extras);
        items.sort(java.util.Comparator.comparing(ChatItem::time)); // stable: history keeps order
      }
      c.items = items;
      List<MessengerEvent> pending = c.pending;
      c.pending = null;
      if (pending != null) {
        for (MessengerEvent e : pending) {
          apply(c, e);
        }
      }
      c.itemsSnapshot = List.copyOf(c.items);
    }
    fire(new ModelChange.MessagesChanged(peer));
    if (hadHistory) {
      // Learn whether the contact's identity changed while we were away (no network for a pinned
      // one).
      m.safetyNumber(peer)
          .thenAccept(v -> flagChanged(peer, v.trust() == SafetyNumberView.Trust.CHANGED));
    }
  }

  private void flagChanged(String peer, boolean changed) {
    synchronized (this) {
      Conv c = convs.get(peer);
      if (c == null || c.changed == changed) {
        return;
      }
      c.changed = changed;
      rebuildSnapshot();
    }
    fire(new ModelChange.ConversationsChanged());
  }

  @Override
  public CompletableFuture<Void> markRead(String peer) {
    Messenger m = messenger;
    if (m == null) {
      return CompletableFuture.completedFuture(null);
    }
    synchronized (this) {
      Conv c = convs.get(peer);
      if (c == null || c.unread == 0) {
        return CompletableFuture.completedFuture(null);
      }
    }
    return m.markRead(peer);
  }

  @Override
  public CompletableFuture<Void> send(String peer, String text) {
    Messenger m = messenger;
    if (m == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("Not logged in."));
    }
    synchronized (this) {
      Conv c = convs.get(peer);
      if (c != null && c.changed) {
        return CompletableFuture.failedFuture(new IdentityChangedException(peer));
      }
    }
    return m.send(peer, text)
        .committed()
        .handle(
            (msg, e) -> {
              if (e != null) {
                Throwable t =
                    e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                if (t instanceof IdentityChangedException) {
                  flagChanged(peer, true);
                }
                throw new CompletionException(t);
              }
              return null;
            });
  }

  @Override
  public CompletableFuture<List<UserInfo>> listUsers() {
    return with(Messenger::users)
        .thenApply(
            users -> {
              List<UserInfo> out = new ArrayList<>(users.size());
              synchronized (this) {
                for (var u : users) {
                  presence.put(u.name(), map(u.presence()));
                  out.add(new UserInfo(u.name(), map(u.presence()), u.blocked()));
                }
                rebuildSnapshot();
              }
              fire(new ModelChange.ConversationsChanged());
              return out;
            });
  }

  @Override
  public CompletableFuture<Void> setPresence(Presence p) {
    Messenger m = messenger;
    if (m == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("Not logged in."));
    }
    return m.setPresence(map(p)).thenRun(() -> fire(new ModelChange.ConnectionChanged()));
  }

  @Override
  public CompletableFuture<Void> block(String user) {
    return with(m -> m.block(user));
  }

  @Override
  public CompletableFuture<Void> unblock(String user) {
    return with(m -> m.unblock(user));
  }

  @Override
  public CompletableFuture<Void> setMuted(String peer, boolean muted) {
    return CompletableFuture.runAsync(
        () -> {
          TuiPreferences p;
          synchronized (this) {
            p = prefs;
          }
          if (p == null) {
            throw new CompletionException(new IllegalStateException("Not logged in."));
          }
          try {
            p.setMuted(peer, muted);
          } catch (java.io.IOException e) {
            throw new CompletionException(e);
          }
          synchronized (this) {
            rebuildSnapshot();
          }
          fire(new ModelChange.ConversationsChanged());
        },
        worker);
  }

  @Override
  public CompletableFuture<Void> setReadReceipts(boolean enabled) {
    return CompletableFuture.runAsync(
        () -> {
          TuiPreferences p;
          synchronized (this) {
            p = prefs;
          }
          if (p == null) {
            throw new CompletionException(new IllegalStateException("Not logged in."));
          }
          // Saved first (a failure changes nothing), then applied to the live messenger from
          // the next markRead on; the next login starts with the saved choice.
          try {
            p.setReadReceipts(enabled);
          } catch (java.io.IOException e) {
            throw new CompletionException(e);
          }
          Messenger m = messenger;
          if (m != null) {
            m.setReadReceipts(enabled);
          }
        },
        worker);
  }

  @Override
  public CompletableFuture<String> safetyNumber(String user) {
    return with(m -> m.safetyNumber(name(user)))
        .thenApply(
            v -> {
              flagChanged(v.user(), v.trust() == SafetyNumberView.Trust.CHANGED);
              return v.number();
            });
  }

  @Override
  public CompletableFuture<Boolean> verify(String user, String digits) {
    return with(m -> m.verify(name(user), digits))
        .thenApply(
            ok -> {
              if (ok) {
                flagChanged(user.toLowerCase(java.util.Locale.ROOT), false);
              }
              return ok;
            });
  }

  @Override
  public CompletableFuture<Void> trust(String user) {
    return with(m -> m.trust(name(user)))
        .thenRun(() -> flagChanged(user.toLowerCase(java.util.Locale.ROOT), false));
  }

  @Override
  public CompletableFuture<Void> resetKeys() {
    return with(Messenger::resetKeys);
  }

  @Override
  public CompletableFuture<Void> changePassword(char[] oldPassword, char[] newPassword) {
    Messenger m = messenger;
    if (m == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("Not logged in."));
    }
    return m.changePassword(oldPassword, newPassword);
  }

  @Override
  public CompletableFuture<Void> logout() {
    return CompletableFuture.runAsync(
        () -> {
          close();
          connection = new ConnectionState.Offline("Logged out.");
          fire(new ModelChange.ConnectionChanged());
        },
        worker);
  }

  /**
   * Closes the messenger (logs out, finishes the work in hand, releases the local store); blocks.
   * The launcher calls it after the TUI quit.
   */
  public void close() {
    Messenger m = messenger;
    messenger = null;
    if (m != null) {
      m.close();
    }
    synchronized (this) {
      convs.clear();
      presence.clear();
      prefs = null;
      snapshot = List.of();
    }
  }

  /** The notice for a pause in sending: why, and when the waiting messages go out. */
  static String sendingPaused(MessengerEvent.SendingPaused sp) {
    long seconds = Math.max(1, (sp.resumeIn().toMillis() + 999) / 1000);
    String why =
        "RATE_LIMITED".equals(sp.reason())
            ? "The server asks you to send more slowly"
            : "The server cannot take messages right now";
    return why + ": your messages wait and go out by themselves in " + seconds + " s.";
  }
}
