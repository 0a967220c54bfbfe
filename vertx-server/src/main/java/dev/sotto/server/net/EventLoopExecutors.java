package dev.sotto.server.net;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.Executor;

/**
 * The calling event loop as an {@link Executor}, for store futures that event-loop code waits for
 * ({@code Mailboxes}' sends, acks and backlog reads).
 *
 * <p>Completed there, their continuations (the push to the recipient, the reply to the sender) run
 * on the loop without a further hop: before, each went from the store's writer to its completion
 * thread and then, per request, back to the loop through {@code runOnContext}. The store gives one
 * task per executor and commit group, so the executor must be the same object for every call from
 * one context: it is kept in the context's data.
 */
public final class EventLoopExecutors {
  private static final Object KEY = new Object();

  private EventLoopExecutors() {}

  /** The current event-loop context's executor, or null off an event loop. */
  public static Executor current() {
    Context ctx = Vertx.currentContext();
    if (ctx == null || !ctx.isEventLoopContext()) {
      return null;
    }
    Executor executor = ctx.get(KEY);
    if (executor == null) {
      executor = task -> ctx.runOnContext(v -> task.run());
      ctx.put(KEY, executor);
    }
    return executor;
  }
}
