package dev.sotto.client.core.messaging;

import dev.sotto.keystore.store.Conversation;
import dev.sotto.keystore.store.LocalStoreException;
import dev.sotto.wire.Usernames;
import dev.sotto.wire.WireLimits;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.WatchPresence;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The users whose presence the server pushes to this account: the peers of its conversations, most
 * recently active first, after the peers that got a conversation during this run (newest first), at
 * most {@link WireLimits#MAX_WATCHED_USERS}. Sent whole as one {@code WatchPresence} (which
 * replaces the server's list for the connection) after each login and reconnect, and again when a
 * peer that is not watched gets a conversation; the server answers with each watched user's
 * presence, then pushes their changes. Short CLI commands (not receiving) watch nobody.
 *
 * <p>Threads: {@link #sendAll} and {@link #add} run on the worker; {@link #isWatched} on any
 * thread.
 */
final class PresenceWatch {
  private static final Logger logger = LoggerFactory.getLogger(PresenceWatch.class);

  private final Context ctx;
  private final LinkedHashSet<String> added = new LinkedHashSet<>();
  private volatile Set<String> watched = Set.of();

  PresenceWatch(Context ctx) {
    this.ctx = ctx;
  }

  /** Whether {@code user} is in the list last sent (any thread). */
  boolean isWatched(String user) {
    return watched.contains(user);
  }

  /** Sends the whole list on the current connection (worker; after a login or reconnect). */
  void sendAll() {
    if (!ctx.config.receiving()) {
      return;
    }
    List<String> names;
    try {
      names = names();
    } catch (LocalStoreException e) {
      logger.warn("the conversation list could not be read for presence: {}", e.getMessage());
      return;
    }
    watched = Set.copyOf(names);
    ctx.connection
        .call(
            Frame.newBuilder().setWatchPresence(WatchPresence.newBuilder().addAllUsernames(names)),
            Frame.BodyCase.OK)
        .whenComplete(
            (ok, e) -> {
              if (e != null) {
                logger.info("watching presence failed: {}", e.getMessage());
              } else {
                logger.debug("watching the presence of {} users", names.size());
              }
            });
  }

  /** {@code peer} has a conversation now: watches it too if it is not yet watched (worker). */
  void add(String peer) {
    if (!ctx.config.receiving() || peer.equals(ctx.username) || watched.contains(peer)) {
      return;
    }
    added.remove(peer);
    added.add(peer);
    while (added.size() > WireLimits.MAX_WATCHED_USERS) {
      added.remove(added.iterator().next());
    }
    sendAll();
  }

  /** The list: peers added during this run, newest first, then the store's conversations. */
  List<String> names() throws LocalStoreException {
    List<String> newestFirst = new ArrayList<>(added);
    java.util.Collections.reverse(newestFirst);
    LinkedHashSet<String> out = new LinkedHashSet<>(newestFirst);
    for (Conversation c : ctx.store.conversations()) {
      out.add(c.name());
    }
    out.remove(ctx.username);
    out.removeIf(n -> !Usernames.isCanonical(n));
    return out.stream().limit(WireLimits.MAX_WATCHED_USERS).toList();
  }
}
