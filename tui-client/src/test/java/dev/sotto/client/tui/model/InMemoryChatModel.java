package dev.sotto.client.tui.model;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A scriptable in-memory {@link ChatModel} for screen tests: tests add conversations, deliver
 * messages, change the connection, and read back the actions the UI started ({@link #calls()}).
 * Test sources only; never part of the product.
 */
public final class InMemoryChatModel implements ChatModel {

  private static final class Conv {
    int unread;
    Presence presence;
    boolean muted;
    Instant last = Instant.EPOCH;
    boolean changed;
  }

  private final Account account;
  private final Clock clock;
  private ConnectionState connection = new ConnectionState.Connected();
  private Presence presence = Presence.ONLINE;
  private final Map<String, Conv> convs = new LinkedHashMap<>();
  private final Map<String, List<ChatItem>> messages = new HashMap<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
  private List<UserInfo> users = new ArrayList<>();
  private String safetyNumber =
      "12345 67890 12345 67890 12345 67890 12345 67890 12345 67890 12345 67890";
  private String failNext;
  private String failMessage;
  private int nextId;

  public InMemoryChatModel(String username, String server, Clock clock) {
    this.account = new Account(username, server);
    this.clock = clock;
  }

  // ---- scripting

  /** The actions the UI started, e.g. {@code "send bob hello"}, in order. */
  public List<String> calls() {
    synchronized (calls) {
      return List.copyOf(calls);
    }
  }

  /** Makes the next call of {@code action} (e.g. "send") fail with {@code message}. */
  public void failNext(String action, String message) {
    this.failNext = action;
    this.failMessage = message;
  }

  public InMemoryChatModel addConversation(String peer, Presence p) {
    Conv c = new Conv();
    c.presence = p;
    convs.put(peer, c);
    messages.putIfAbsent(peer, new ArrayList<>());
    fire(new ModelChange.ConversationsChanged());
    return this;
  }

  public void setUsers(List<UserInfo> list) {
    users = new ArrayList<>(list);
  }

  public void setSafetyNumber(String s) {
    safetyNumber = s;
  }

  public void setConnection(ConnectionState s) {
    connection = s;
    fire(new ModelChange.ConnectionChanged());
  }

  public void setMutedDirect(String peer, boolean m) {
    convs.get(peer).muted = m;
    fire(new ModelChange.ConversationsChanged());
  }

  public void setSafetyChanged(String peer, boolean changed) {
    convs.get(peer).changed = changed;
    fire(new ModelChange.ConversationsChanged());
  }

  /** An incoming text message from {@code peer} at {@code time} (counts as unread). */
  public ChatItem.Text receive(String peer, String text, Instant time) {
    ChatItem.Text t =
        new ChatItem.Text("in" + (nextId++), peer, text, time, DeliveryState.DELIVERED, false);
    addItem(peer, t, true);
    return t;
  }

  /** Appends an item; {@code unread} counts it as unread and fires {@link ModelChange.Arrived}. */
  public void addItem(String peer, ChatItem item, boolean unread) {
    if (!convs.containsKey(peer)) {
      addConversation(peer, Presence.ONLINE);
    }
    messages.get(peer).add(item);
    Conv c = convs.get(peer);
    c.last = item.time();
    if (unread) {
      c.unread++;
    }
    fire(new ModelChange.MessagesChanged(peer));
    fire(new ModelChange.ConversationsChanged());
    if (unread) {
      fire(new ModelChange.Arrived(peer, item));
    }
  }

  /** Sets the delivery state of an outgoing message. */
  public void setState(String peer, String id, DeliveryState state) {
    List<ChatItem> list = messages.get(peer);
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i) instanceof ChatItem.Text t && t.id().equals(id)) {
        list.set(i, new ChatItem.Text(t.id(), t.sender(), t.text(), t.time(), state, t.outgoing()));
      }
    }
    fire(new ModelChange.MessagesChanged(peer));
  }

  public int unread(String peer) {
    return convs.get(peer).unread;
  }

  public int listenerCount() {
    return listeners.size();
  }

  private void fire(ModelChange c) {
    for (Listener l : listeners) {
      l.onChange(c);
    }
  }

  private <T> CompletableFuture<T> result(String action, String call, T value) {
    calls.add(call);
    if (action.equals(failNext)) {
      failNext = null;
      return CompletableFuture.failedFuture(new IllegalStateException(failMessage));
    }
    return CompletableFuture.completedFuture(value);
  }

  // ---- ChatModel

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
    return presence;
  }

  @Override
  public List<Conversation> conversations() {
    List<Conversation> out = new ArrayList<>();
    convs.forEach(
        (peer, c) ->
            out.add(new Conversation(peer, c.unread, c.presence, c.muted, c.last, c.changed)));
    return out;
  }

  @Override
  public List<ChatItem> messages(String peer) {
    return List.copyOf(messages.getOrDefault(peer, List.of()));
  }

  @Override
  public void addListener(Listener listener) {
    listeners.add(listener);
  }

  @Override
  public void removeListener(Listener listener) {
    listeners.remove(listener);
  }

  @Override
  public CompletableFuture<Void> openConversation(String peer) {
    CompletableFuture<Void> f = result("open", "open " + peer, null);
    if (!f.isCompletedExceptionally() && !convs.containsKey(peer)) {
      addConversation(peer, Presence.OFFLINE);
    }
    fire(new ModelChange.MessagesChanged(peer));
    return f;
  }

  @Override
  public CompletableFuture<Void> markRead(String peer) {
    calls.add("markRead " + peer);
    Conv c = convs.get(peer);
    if (c != null && c.unread > 0) {
      c.unread = 0;
      fire(new ModelChange.ConversationsChanged());
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> send(String peer, String text) {
    CompletableFuture<Void> f = result("send", "send " + peer + " " + text, null);
    if (f.isCompletedExceptionally()) {
      return f;
    }
    Conv c = convs.get(peer);
    if (c != null && c.changed) {
      return CompletableFuture.failedFuture(
          new IllegalStateException(peer + "'s safety number changed"));
    }
    addItem(
        peer,
        new ChatItem.Text(
            "out" + (nextId++),
            account.username(),
            text,
            clock.instant(),
            DeliveryState.SENDING,
            true),
        false);
    return f;
  }

  @Override
  public CompletableFuture<List<UserInfo>> listUsers() {
    return result("list", "listUsers", List.copyOf(users));
  }

  @Override
  public CompletableFuture<Void> setPresence(Presence p) {
    CompletableFuture<Void> f = result("presence", "presence " + p, null);
    if (!f.isCompletedExceptionally()) {
      presence = p;
      fire(new ModelChange.ConnectionChanged());
    }
    return f;
  }

  @Override
  public CompletableFuture<Void> block(String user) {
    return result("block", "block " + user, null);
  }

  @Override
  public CompletableFuture<Void> unblock(String user) {
    return result("unblock", "unblock " + user, null);
  }

  @Override
  public CompletableFuture<Void> setMuted(String peer, boolean muted) {
    CompletableFuture<Void> f = result("mute", "mute " + peer + " " + muted, null);
    if (convs.containsKey(peer)) {
      convs.get(peer).muted = muted;
      fire(new ModelChange.ConversationsChanged());
    }
    return f;
  }

  @Override
  public CompletableFuture<Void> setReadReceipts(boolean enabled) {
    return result("receipts", "receipts " + enabled, null);
  }

  @Override
  public CompletableFuture<String> safetyNumber(String user) {
    return result("safety", "safetyNumber " + user, safetyNumber);
  }

  @Override
  public CompletableFuture<Boolean> verify(String user, String digits) {
    return result(
        "verify", "verify " + user + " " + digits, safetyNumber.replace(" ", "").equals(digits));
  }

  @Override
  public CompletableFuture<Void> trust(String user) {
    CompletableFuture<Void> f = result("trust", "trust " + user, null);
    if (convs.containsKey(user)) {
      setSafetyChanged(user, false);
    }
    return f;
  }

  @Override
  public CompletableFuture<Void> resetKeys() {
    return result("resetkeys", "resetKeys", null);
  }

  @Override
  public CompletableFuture<Void> changePassword(char[] oldPassword, char[] newPassword) {
    return result(
        "passwd",
        "changePassword " + new String(oldPassword) + " -> " + new String(newPassword),
        null);
  }

  @Override
  public CompletableFuture<Void> logout() {
    return result("logout", "logout", null);
  }
}
