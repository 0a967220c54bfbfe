package dev.sotto.client.it;

import dev.sotto.client.core.ClientOptions;
import dev.sotto.client.core.ClientPaths;
import dev.sotto.client.core.KnownServers;
import dev.sotto.client.core.ServerAddress;
import dev.sotto.client.core.ServerTrust;
import dev.sotto.client.core.TrustPrompt;
import dev.sotto.client.core.messaging.Message;
import dev.sotto.client.core.messaging.MessageId;
import dev.sotto.client.core.messaging.MessageState;
import dev.sotto.client.core.messaging.Messenger;
import dev.sotto.client.core.messaging.MessengerConfig;
import dev.sotto.client.core.messaging.MessengerEvent;
import dev.sotto.keystore.account.KdfParameters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One user on one "machine" (its own config and data directories) driving a {@link Messenger}
 * in-process, with every event it reported kept for assertions.
 *
 * <p>Accounts use a LOWERED Argon2id cost (m = 8 MiB, t = 1) and 25 prekeys per batch instead of
 * 100 (above the server's top-up threshold of 20), so that tests make accounts in milliseconds.
 */
final class Peer implements AutoCloseable {
  static final KdfParameters LOWERED = new KdfParameters(8 * 1024, 1, 1);
  static final ClientOptions OPTIONS =
      ClientOptions.defaults()
          .withLoweredKdfCostForTesting(LOWERED)
          .withClientName("sotto-it")
          .withRequestTimeout(Duration.ofSeconds(10));

  final String name;
  final char[] password;
  final MessengerConfig config;
  private final List<MessengerEvent> events = new ArrayList<>();
  Messenger messenger;

  Peer(Path machine, ServerAddress server, String name) {
    this(new ClientPaths(machine.resolve("config"), machine.resolve("data")), server, name);
  }

  Peer(ClientPaths paths, ServerAddress server, String name) {
    this.name = name;
    this.password = (name + " password 123").toCharArray();
    this.config =
        MessengerConfig.of(
                server,
                new ServerTrust(
                    new KnownServers(paths.knownServersFile()),
                    Optional.empty(),
                    TrustPrompt.ACCEPT),
                OPTIONS,
                paths)
            .withPreKeyCount(25)
            .withReconnect(Duration.ofMillis(100), Duration.ofMillis(800));
  }

  Peer register() throws Exception {
    clearEvents();
    messenger = Messenger.register(config, name, password, null, this::record);
    return this;
  }

  Peer login() throws Exception {
    clearEvents();
    messenger = Messenger.login(config, name, password, this::record);
    return this;
  }

  Messenger m() {
    return messenger;
  }

  /** Also tells {@code printer} of every event (the child JVM prints them). */
  interface Printer {
    void print(MessengerEvent e);
  }

  private volatile Printer printer;

  void onEvent(Printer p) {
    this.printer = p;
  }

  private void record(MessengerEvent e) {
    Printer p = printer;
    if (p != null) {
      p.print(e);
    }
    synchronized (events) {
      events.add(e);
      events.notifyAll();
    }
  }

  List<MessengerEvent> events() {
    synchronized (events) {
      return List.copyOf(events);
    }
  }

  void clearEvents() {
    synchronized (events) {
      events.clear();
    }
  }

  /** Waits until an event matches; fails after {@code seconds}. */
  <T extends MessengerEvent> T await(Class<T> kind, Predicate<T> p, int seconds)
      throws InterruptedException {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    synchronized (events) {
      while (true) {
        for (MessengerEvent e : events) {
          if (kind.isInstance(e) && p.test(kind.cast(e))) {
            return kind.cast(e);
          }
        }
        long left = (end - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          throw new AssertionError(
              name + " saw no matching " + kind.getSimpleName() + " in " + seconds + " s");
        }
        events.wait(left);
      }
    }
  }

  /** Waits until {@code n} texts were received in total; returns them in arrival order. */
  List<Message> awaitTexts(int n, int seconds) throws InterruptedException {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    synchronized (events) {
      while (true) {
        List<Message> got = received();
        if (got.size() >= n) {
          return got;
        }
        long left = (end - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          throw new AssertionError(name + " received " + got.size() + " of " + n + " messages");
        }
        events.wait(left);
      }
    }
  }

  List<Message> received() {
    List<Message> out = new ArrayList<>();
    for (MessengerEvent e : events()) {
      if (e instanceof MessengerEvent.MessageReceived r) {
        out.add(r.message());
      }
    }
    return out;
  }

  void awaitState(MessageId id, MessageState state, int seconds) throws InterruptedException {
    await(
        MessengerEvent.MessageStateChanged.class,
        e -> e.id().equals(id) && e.state() == state,
        seconds);
  }

  boolean sawState(MessageId id, MessageState state) {
    for (MessengerEvent e : events()) {
      if (e instanceof MessengerEvent.MessageStateChanged s
          && s.id().equals(id)
          && s.state() == state) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    if (messenger != null) {
      messenger.close();
      messenger = null;
    }
  }
}
