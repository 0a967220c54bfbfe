package dev.sotto.client.tui.adapter;

import dev.sotto.client.core.ClientOptions;
import dev.sotto.client.core.ClientPaths;
import dev.sotto.client.core.LoggedIn;
import dev.sotto.client.core.PushListener;
import dev.sotto.client.core.ServerAddress;
import dev.sotto.client.core.ServerTrust;
import dev.sotto.client.core.Session;
import dev.sotto.client.tui.model.Account;
import dev.sotto.client.tui.model.ChatItem;
import dev.sotto.client.tui.model.ChatModel;
import dev.sotto.client.tui.model.ConnectionState;
import dev.sotto.client.tui.model.Conversation;
import dev.sotto.client.tui.model.ModelChange;
import dev.sotto.client.tui.model.Presence;
import dev.sotto.client.tui.model.UserInfo;
import dev.sotto.keystore.account.AccountKeys;
import dev.sotto.wire.proto.RegistrationMode;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The main screen's {@link ChatModel} on the client core. One instance serves successive logins:
 * {@link CoreLoginController} makes it live, {@link #logout()} closes it.
 */
public final class CoreChatModel implements ChatModel, AccountOpener {

  /**
   * The logger, created on first use: initialising Logback costs 300-400 ms here and would delay
   * the first frame (see {@link TuiMain}).
   */
  private static final class Log {
    static final Logger logger = LoggerFactory.getLogger(CoreChatModel.class);
  }

  private final ClientPaths paths;
  private final ClientOptions options;
  private final Executor worker;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private volatile Account account = new Account("", "");
  private volatile ConnectionState connection = new ConnectionState.Offline("Not logged in.");
  private volatile Session session;

  /**
   * @param paths where the local stores live
   * @param options connection and key-derivation options
   * @param worker runs every blocking core call (never the UI thread)
   */
  public CoreChatModel(ClientPaths paths, ClientOptions options, Executor worker) {
    this.paths = Objects.requireNonNull(paths, "paths");
    this.options = Objects.requireNonNull(options, "options");
    this.worker = Objects.requireNonNull(worker, "worker");
  }

  @Override
  public void open(
      ServerAddress server,
      ServerTrust trust,
      String username,
      char[] password,
      boolean register,
      String invite)
      throws Exception {
    Session s = Session.connect(server, trust, options, PushListener.NONE);
    try {
      if (register
          && invite.isEmpty()
          && s.registration() == RegistrationMode.REGISTRATION_INVITE) {
        throw new InviteNeededException(
            "The server " + server + " takes new accounts by invite only; enter the invite code.");
      }
      LoggedIn in = register ? s.register(username, password, invite) : s.login(username, password);
      AccountKeys keys = in.keys();
      keys.destroy();
    } catch (Exception e) {
      s.close();
      throw e;
    }
    session = s;
    account = new Account(username, server.toString());
    connection = new ConnectionState.Connected();
    fire(new ModelChange.ConnectionChanged());
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

  private static <T> CompletableFuture<T> notYet() {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException("Messaging is not available in this build yet."));
  }

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
    return connection instanceof ConnectionState.Connected ? Presence.ONLINE : Presence.OFFLINE;
  }

  @Override
  public List<Conversation> conversations() {
    return List.of();
  }

  @Override
  public List<ChatItem> messages(String peer) {
    return List.of();
  }

  @Override
  public void addListener(Listener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public void removeListener(Listener listener) {
    listeners.remove(listener);
  }

  @Override
  public CompletableFuture<Void> openConversation(String peer) {
    return notYet();
  }

  @Override
  public CompletableFuture<Void> markRead(String peer) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> send(String peer, String text) {
    return notYet();
  }

  @Override
  public CompletableFuture<List<UserInfo>> listUsers() {
    return notYet();
  }

  @Override
  public CompletableFuture<Void> setPresence(Presence presence) {
    return notYet();
  }

  @Override
  public CompletableFuture<Void> block(String user) {
    return notYet();
  }

  @Override
  public CompletableFuture<Void> unblock(String user) {
    return notYet();
  }

  @Override
  public CompletableFuture<Void> setMuted(String peer, boolean muted) {
    return notYet();
  }

  @Override
  public CompletableFuture<Void> setReadReceipts(boolean enabled) {
    return notYet();
  }

  @Override
  public CompletableFuture<String> safetyNumber(String user) {
    return notYet();
  }

  @Override
  public CompletableFuture<Boolean> verify(String user, String digits) {
    return notYet();
  }

  @Override
  public CompletableFuture<Void> trust(String user) {
    return notYet();
  }

  @Override
  public CompletableFuture<Void> resetKeys() {
    return notYet();
  }

  @Override
  public CompletableFuture<Void> changePassword(char[] oldPassword, char[] newPassword) {
    Session s = session;
    if (s == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("Not logged in."));
    }
    return CompletableFuture.runAsync(
        () -> {
          try {
            s.changePassword(oldPassword, newPassword).destroy();
          } catch (Exception e) {
            throw new CompletionException(e);
          }
        },
        worker);
  }

  @Override
  public CompletableFuture<Void> logout() {
    return CompletableFuture.runAsync(
        () -> {
          Session s = session;
          session = null;
          if (s != null) {
            s.close();
          }
          connection = new ConnectionState.Offline("Logged out.");
          fire(new ModelChange.ConnectionChanged());
        },
        worker);
  }

  /** Closes the session (best-effort Logout); blocks. For the launcher after the TUI quit. */
  public void close() {
    Session s = session;
    session = null;
    if (s != null) {
      s.close();
    }
  }

  ClientPaths paths() {
    return paths;
  }
}
