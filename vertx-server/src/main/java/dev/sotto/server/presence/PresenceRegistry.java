package dev.sotto.server.presence;

import dev.sotto.store.Batch;
import dev.sotto.store.Store;
import dev.sotto.wire.WireException;
import dev.sotto.wire.proto.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence of every user, and block lists.
 *
 * <p>Presence lives in memory: a user is OFFLINE without a connection, else in the state they last
 * chose (ONLINE until they choose; the choice is remembered across reconnects of this process).
 * Listeners hear every visible change.
 *
 * <p>Blocks are kept in the store ({@code presence.blocks}: u8 length || blocker || u8 length ||
 * blocked -> marker) and mirrored in memory once durable, so {@link #isBlocked} is a quick lookup
 * that reflects exactly the acknowledged blocks.
 */
public final class PresenceRegistry {
  private static final Logger logger = LoggerFactory.getLogger(PresenceRegistry.class);
  static final String BLOCKS = "presence.blocks";
  private static final byte[] MARK = {1};

  /** At most this many users blocked by one user. */
  public static final int MAX_BLOCKS_PER_USER = 1000;

  private final Store store;
  private final Map<String, Set<String>> blocks = new ConcurrentHashMap<>();
  private final Map<String, UserState> users = new HashMap<>();
  private final List<PresenceListener> listeners = new CopyOnWriteArrayList<>();

  private static final class UserState {
    int connections;
    Presence chosen = Presence.ONLINE;
  }

  private PresenceRegistry(Store store) {
    this.store = store;
  }

  /** Opens the registry, loading every block list from {@code store}. */
  public static CompletableFuture<PresenceRegistry> open(Store store) {
    Objects.requireNonNull(store, "store");
    PresenceRegistry r = new PresenceRegistry(store);
    return store
        .update(txn -> txn.scan(BLOCKS, new byte[0], Integer.MAX_VALUE))
        .thenApply(
            rows -> {
              for (Store.Entry e : rows) {
                ByteBuffer b = ByteBuffer.wrap(e.key());
                String blocker = readName(b);
                String blocked = readName(b);
                r.blocks.computeIfAbsent(blocker, k -> ConcurrentHashMap.newKeySet()).add(blocked);
              }
              logger.info("Loaded {} blocks", rows.size());
              return r;
            });
  }

  /** Adds a listener; returns an action that removes it. */
  public Runnable addListener(PresenceListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return () -> listeners.remove(listener);
  }

  /** A connection of {@code user} opened; returns the user's presence now. */
  public Presence connected(String user) {
    Presence now;
    boolean changed;
    synchronized (users) {
      UserState s = users.computeIfAbsent(user, u -> new UserState());
      changed = s.connections++ == 0;
      now = s.chosen;
    }
    if (changed) {
      fire(user, now);
    }
    return now;
  }

  /** A connection of {@code user} closed; the last one makes the user OFFLINE. */
  public void disconnected(String user) {
    boolean changed = false;
    synchronized (users) {
      UserState s = users.get(user);
      if (s != null && s.connections > 0) {
        changed = --s.connections == 0;
      }
    }
    if (changed) {
      fire(user, Presence.OFFLINE);
    }
  }

  /**
   * The user chose {@code presence} (ONLINE, AWAY or DND).
   *
   * @throws IllegalArgumentException for OFFLINE (see {@link Presence#chosen})
   */
  public void set(String user, Presence presence) {
    if (presence == Presence.OFFLINE) {
      throw new IllegalArgumentException("OFFLINE cannot be chosen");
    }
    boolean changed;
    synchronized (users) {
      UserState s = users.computeIfAbsent(user, u -> new UserState());
      changed = s.chosen != presence && s.connections > 0;
      s.chosen = presence;
    }
    if (changed) {
      fire(user, presence);
    }
  }

  /** The presence others see for {@code user}. */
  public Presence presence(String user) {
    synchronized (users) {
      UserState s = users.get(user);
      return s == null || s.connections == 0 ? Presence.OFFLINE : s.chosen;
    }
  }

  /**
   * The presence {@code viewer} sees for {@code user}: OFFLINE when {@code user} has blocked {@code
   * viewer}, so a block looks like an ordinary offline user to the blocked person.
   */
  public Presence visibleTo(String user, String viewer) {
    return isBlocked(user, viewer) ? Presence.OFFLINE : presence(user);
  }

  private void fire(String user, Presence p) {
    for (PresenceListener l : listeners) {
      try {
        l.presenceChanged(user, p);
      } catch (RuntimeException e) {
        logger.warn("Presence listener failed", e);
      }
    }
  }

  /**
   * {@code blocker} blocks {@code blocked}: from the moment the future completes (durably), the
   * server drops {@code blocked}'s messages to {@code blocker}. Blocking twice is harmless.
   *
   * @return fails with {@link WireException} {@code INVALID_REQUEST} for a self-block or over
   *     {@link #MAX_BLOCKS_PER_USER}
   */
  public CompletableFuture<Void> block(String blocker, String blocked) {
    if (blocker.equals(blocked)) {
      return CompletableFuture.failedFuture(
          new WireException(ErrorCode.INVALID_REQUEST, "You cannot block yourself."));
    }
    Set<String> current = blocks.getOrDefault(blocker, Set.of());
    if (!current.contains(blocked) && current.size() >= MAX_BLOCKS_PER_USER) {
      return CompletableFuture.failedFuture(
          new WireException(
              ErrorCode.INVALID_REQUEST,
              "You can block at most " + MAX_BLOCKS_PER_USER + " users."));
    }
    return store
        .write(new Batch().put(BLOCKS, key(blocker, blocked), MARK))
        .thenRun(
            () -> blocks.computeIfAbsent(blocker, k -> ConcurrentHashMap.newKeySet()).add(blocked));
  }

  /** {@code blocker} unblocks {@code blocked}; completes once durable. */
  public CompletableFuture<Void> unblock(String blocker, String blocked) {
    return store
        .write(new Batch().delete(BLOCKS, key(blocker, blocked)))
        .thenRun(
            () -> {
              Set<String> s = blocks.get(blocker);
              if (s != null) {
                s.remove(blocked);
              }
            });
  }

  /** Whether {@code blocker} has blocked {@code sender} (durable blocks only). */
  public boolean isBlocked(String blocker, String sender) {
    Set<String> s = blocks.get(blocker);
    return s != null && s.contains(sender);
  }

  /** Everyone {@code user} has blocked, sorted (for {@code UserList.blocked}). */
  public List<String> blocked(String user) {
    return blocks.getOrDefault(user, Set.of()).stream().sorted().toList();
  }

  private static byte[] key(String blocker, String blocked) {
    byte[] a = blocker.getBytes(StandardCharsets.UTF_8);
    byte[] b = blocked.getBytes(StandardCharsets.UTF_8);
    if (a.length > 255 || b.length > 255) {
      throw new IllegalArgumentException("username too long for a key");
    }
    return ByteBuffer.allocate(2 + a.length + b.length)
        .put((byte) a.length)
        .put(a)
        .put((byte) b.length)
        .put(b)
        .array();
  }

  private static String readName(ByteBuffer b) {
    byte[] n = new byte[b.get() & 0xff];
    b.get(n);
    return new String(n, StandardCharsets.UTF_8);
  }
}
