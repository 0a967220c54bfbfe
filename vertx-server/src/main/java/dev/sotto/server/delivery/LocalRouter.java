package dev.sotto.server.delivery;

import dev.sotto.server.mailbox.MailboxEntry;
import dev.sotto.server.mailbox.MessageId;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** The in-process {@link Router}: a map from user to live sessions. */
public final class LocalRouter implements Router {
  private final Map<String, List<LiveSession>> byUser = new ConcurrentHashMap<>();

  @Override
  public void register(LiveSession session) {
    byUser.computeIfAbsent(session.user(), u -> new CopyOnWriteArrayList<>()).add(session);
  }

  @Override
  public void unregister(LiveSession session) {
    byUser.computeIfPresent(
        session.user(),
        (u, list) -> {
          list.remove(session);
          return list.isEmpty() ? null : list;
        });
  }

  @Override
  public void deliver(MailboxEntry entry) {
    for (LiveSession s : sessionsOf(entry.envelope().recipient().user())) {
      s.offer(entry);
    }
  }

  @Override
  public void resume(String user) {
    for (LiveSession s : sessionsOf(user)) {
      s.resume();
    }
  }

  @Override
  public void acked(String user, Collection<MessageId> ids) {
    for (LiveSession s : sessionsOf(user)) {
      s.acked(ids);
    }
  }

  @Override
  public int sessions(String user) {
    return sessionsOf(user).size();
  }

  private List<LiveSession> sessionsOf(String user) {
    return byUser.getOrDefault(user, List.of());
  }
}
