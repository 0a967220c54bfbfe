package dev.sotto.client.cli;

import dev.sotto.client.core.messaging.ConnectionStatus;
import dev.sotto.client.core.messaging.Message;
import dev.sotto.client.core.messaging.Messenger;
import dev.sotto.client.core.messaging.MessengerEvent;
import dev.sotto.client.core.messaging.MessengerListener;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sotto receive}: takes the messages waiting on the server (and, with {@code --follow},
 * those that arrive later), commits them to the local store, acknowledges them and prints them.
 */
@Command(
    name = "receive",
    mixinStandardHelpOptions = true,
    description = {
      "Receive messages: prints what waited on the server, then what arrives until nothing came"
          + " for --timeout seconds. With --follow keeps running (until killed, or for --timeout"
          + " seconds if given). Messages are committed to the local store before the server is"
          + " told, so none is lost or shown twice.",
      "With --json every event is one JSON object per line: type message (from, id, seq, sentAt,"
          + " receivedAt, kind, text), state (peer, id, state), held (peer, id, presence),"
          + " identity-changed (user,"
          + " safetyNumber), gap (peer, missing), undecryptable (peer, id), presence (user,"
          + " presence), backlog (total), backlog-done, connection (state, reason)."
    })
final class ReceiveCommand extends MessengerCommand {

  @Option(
      names = {"-t", "--timeout"},
      paramLabel = "S",
      description =
          "Without --follow: stop after S seconds without a new message (default 5). With"
              + " --follow: stop after S seconds.")
  Integer timeoutSeconds;

  @Option(names = "--follow", description = "Keep receiving until killed.")
  boolean follow;

  @Option(names = "--json", description = "Print one JSON object per line and event.")
  boolean json;

  @Option(names = "--mark-read", description = "Mark what was printed read (sends read receipts).")
  boolean markRead;

  private final BlockingQueue<MessengerEvent> events = new LinkedBlockingQueue<>();

  @Override
  boolean receiving() {
    return true;
  }

  @Override
  MessengerListener listener() {
    return events::add;
  }

  @Override
  int run(Messenger m) throws Exception {
    long idleNanos = TimeUnit.SECONDS.toNanos(timeoutSeconds == null ? 5 : timeoutSeconds);
    long end = follow && timeoutSeconds != null ? System.nanoTime() + idleNanos : Long.MAX_VALUE;
    Thread hook = null;
    if (follow && timeoutSeconds == null) {
      // Killed with Ctrl-C or TERM: close the messenger so the store is left clean.
      hook = new Thread(m::close, "sotto-receive-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
    }
    Set<String> peers = new LinkedHashSet<>();
    boolean backlogDone = false;
    long lastActivity = System.nanoTime();
    try {
      while (true) {
        long now = System.nanoTime();
        long wait;
        if (follow) {
          if (now >= end) {
            break;
          }
          wait = Math.min(end - now, TimeUnit.SECONDS.toNanos(1));
        } else {
          long idleEnd =
              lastActivity
                  + (backlogDone ? idleNanos : Math.max(idleNanos, TimeUnit.SECONDS.toNanos(30)));
          if (now >= idleEnd) {
            break;
          }
          wait = idleEnd - now;
        }
        MessengerEvent e = events.poll(wait, TimeUnit.NANOSECONDS);
        if (e == null) {
          continue;
        }
        if (e instanceof MessengerEvent.BacklogDone) {
          backlogDone = true;
        }
        if (e instanceof MessengerEvent.MessageReceived r) {
          lastActivity = System.nanoTime();
          peers.add(r.message().peer());
        }
        print(e);
        if (e instanceof MessengerEvent.ConnectionChanged c
            && c.status() instanceof ConnectionStatus.Offline off
            && !follow) {
          throw new Failure(ExitCodes.NETWORK, off.reason());
        }
      }
      if (markRead) {
        for (String p : peers) {
          m.markRead(p).get(30, TimeUnit.SECONDS);
        }
      }
    } finally {
      if (hook != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // The hook is running.
        }
      }
    }
    return ExitCodes.OK;
  }

  /** Prints what arrived between the end of the wait and the close (committed, so shown). */
  @Override
  void afterClose(Target t) {
    MessengerEvent e;
    while ((e = events.poll()) != null) {
      if (!(e instanceof MessengerEvent.ConnectionChanged)) {
        print(e);
      }
    }
  }

  private void print(MessengerEvent e) {
    String line = json ? asJson(e) : asText(e);
    if (line != null) {
      ctx().out().println(line);
      ctx().out().flush();
    }
  }

  static String body(Message m) {
    return switch (m.kind()) {
      case TEXT -> m.text();
      case UNDECRYPTABLE -> "(a message that could not be decrypted)";
      case UNSUPPORTED -> "(a message that needs a newer Sotto)";
    };
  }

  private static String asText(MessengerEvent e) {
    if (e instanceof MessengerEvent.MessageReceived r) {
      Message m = r.message();
      return "[" + m.sentAt() + "] " + m.sender() + ": " + body(m);
    }
    if (e instanceof MessengerEvent.IdentityChanged c) {
      return "* The safety number with "
          + c.user()
          + " changed; their messages wait until you run 'sotto trust "
          + c.user()
          + "'.";
    }
    if (e instanceof MessengerEvent.Gap g) {
      return "* " + g.missing() + " message(s) from " + g.peer() + " are missing.";
    }
    return null;
  }

  private static String asJson(MessengerEvent e) {
    if (e instanceof MessengerEvent.MessageReceived r) {
      Message m = r.message();
      return Json.of("message")
          .put("from", m.sender())
          .put("id", m.id())
          .put("seq", m.seq())
          .put("sentAt", m.sentAt())
          .put("receivedAt", m.timestamp())
          .put("kind", m.kind().name().toLowerCase(Locale.ROOT))
          .put("text", m.text())
          .toString();
    }
    if (e instanceof MessengerEvent.MessageStateChanged s) {
      return Json.of("state")
          .put("peer", s.peer())
          .put("id", s.id())
          .put("state", s.state().name().toLowerCase(Locale.ROOT))
          .toString();
    }
    if (e instanceof MessengerEvent.MessageHeld h) {
      return Json.of("held")
          .put("peer", h.peer())
          .put("id", h.id())
          .put("presence", h.recipientPresence().name().toLowerCase(Locale.ROOT))
          .toString();
    }
    if (e instanceof MessengerEvent.IdentityChanged c) {
      return Json.of("identity-changed")
          .put("user", c.user())
          .put("safetyNumber", c.safetyNumber())
          .toString();
    }
    if (e instanceof MessengerEvent.Gap g) {
      return Json.of("gap").put("peer", g.peer()).put("missing", g.missing()).toString();
    }
    if (e instanceof MessengerEvent.Undecryptable u) {
      return Json.of("undecryptable").put("peer", u.peer()).put("id", u.id()).toString();
    }
    if (e instanceof MessengerEvent.PresenceChanged p) {
      return Json.of("presence")
          .put("user", p.user())
          .put("presence", p.presence().name().toLowerCase(Locale.ROOT))
          .toString();
    }
    if (e instanceof MessengerEvent.BacklogSummary b) {
      return Json.of("backlog").put("total", b.total()).toString();
    }
    if (e instanceof MessengerEvent.BacklogDone) {
      return Json.of("backlog-done").toString();
    }
    if (e instanceof MessengerEvent.ConnectionChanged c) {
      ConnectionStatus s = c.status();
      Json j = Json.of("connection");
      if (s instanceof ConnectionStatus.Online) {
        j.put("state", "online");
      } else if (s instanceof ConnectionStatus.Reconnecting r) {
        j.put("state", "reconnecting")
            .put("nextAttempt", r.nextAttempt())
            .put("reason", r.reason());
      } else if (s instanceof ConnectionStatus.Offline o) {
        j.put("state", "offline").put("reason", o.reason());
      }
      return j.toString();
    }
    if (e instanceof MessengerEvent.Problem p) {
      return Json.of("problem").put("message", p.message()).toString();
    }
    return null;
  }
}
