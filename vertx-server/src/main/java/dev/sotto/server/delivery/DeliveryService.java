package dev.sotto.server.delivery;

import dev.sotto.server.mailbox.Envelope;
import dev.sotto.server.mailbox.Mailboxes;
import dev.sotto.server.mailbox.MessageId;
import dev.sotto.server.presence.Presence;
import dev.sotto.server.presence.PresenceRegistry;
import dev.sotto.wire.WireException;
import dev.sotto.wire.proto.ErrorCode;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ties the mailboxes, presence and routing together: what the networking layer calls for {@code
 * SendMessage}, login, {@code AckMessages}, {@code SetPresence} and logout.
 *
 * <p>Rule: anything with an outside effect is decided from durable state. A send is acknowledged
 * and pushed only after the mailbox write is durable; a push is decided by the receiving
 * connection's session in mailbox order; deletion happens only on the recipient's ack.
 *
 * <p>No method blocks. Futures complete on the store's completion thread; the networking layer
 * should hop back to its own context before writing frames.
 *
 * <p>Wiring at start-up (all on one {@link dev.sotto.store.Store}):
 *
 * <pre>{@code
 * PresenceRegistry presence = PresenceRegistry.open(store).join();
 * Mailboxes mailboxes = Mailboxes.open(store, new MailboxSealer(masterKey.bytes()),
 *     presence::isBlocked, Clock.systemUTC(), Mailboxes.Limits.defaults()).join();
 * PreKeyDirectory directory = new PreKeyDirectory(store, PreKeyDirectory.Limits.defaults());
 * DeliveryService delivery = new DeliveryService(mailboxes, presence, new LocalRouter(),
 *     accounts::exists, DeliveryService.Settings.defaults());
 * vertx.setPeriodic(3_600_000, id -> mailboxes.sweepExpired());
 * }</pre>
 */
public final class DeliveryService {

  /**
   * Delivery settings.
   *
   * @param backlogPageSize entries read from a mailbox per page when draining a backlog
   * @param maxInFlight pushed-but-unacked entries per connection before pushing pauses
   * @param maxAckIds message ids accepted in one {@code AckMessages}
   */
  public record Settings(int backlogPageSize, int maxInFlight, int maxAckIds) {
    public Settings {
      if (backlogPageSize < 1 || maxInFlight < 1 || maxAckIds < 1) {
        throw new IllegalArgumentException("delivery settings must be positive");
      }
    }

    /** Pages of 100, at most 1000 unacked per connection, 1000 ids per ack. */
    public static Settings defaults() {
      return new Settings(100, 1000, 1000);
    }
  }

  private final Mailboxes mailboxes;
  private final PresenceRegistry presence;
  private final Router router;
  private final Recipients recipients;
  private final Settings settings;
  private final Map<DeviceConnection, DeviceSession> sessions = new ConcurrentHashMap<>();

  /**
   * @param mailboxes opened with {@code presence::isBlocked} as its block list
   */
  public DeliveryService(
      Mailboxes mailboxes,
      PresenceRegistry presence,
      Router router,
      Recipients recipients,
      Settings settings) {
    this.mailboxes = Objects.requireNonNull(mailboxes, "mailboxes");
    this.presence = Objects.requireNonNull(presence, "presence");
    this.router = Objects.requireNonNull(router, "router");
    this.recipients = Objects.requireNonNull(recipients, "recipients");
    this.settings = Objects.requireNonNull(settings, "settings");
    presence.addListener(
        (user, p) -> {
          if (p == Presence.ONLINE || p == Presence.AWAY) {
            router.resume(user);
          }
        });
  }

  /**
   * Stores {@code envelope} durably, then offers it to the recipient's live connections (pushed
   * unless the recipient is in DND). Idempotent on (sender, message id). A message from a sender
   * the recipient has blocked is answered the same way but dropped, and the answer shows the
   * recipient OFFLINE and the message held, as for any offline recipient.
   *
   * @param envelope from {@link dev.sotto.server.mailbox.EnvelopeCodec#fromClient}, with the
   *     authenticated sender
   * @return the {@code Stored} answer; fails with {@link WireException} {@code UNKNOWN_USER} or
   *     {@code MAILBOX_FULL}, or a {@link dev.sotto.store.StoreException} ({@code INTERNAL})
   */
  public CompletableFuture<SendOutcome> send(Envelope envelope) {
    String recipient = envelope.recipient().user();
    return recipients
        .exists(recipient)
        .thenCompose(
            exists -> {
              if (!exists) {
                return CompletableFuture.failedFuture(
                    new WireException(
                        ErrorCode.UNKNOWN_USER, "There is no user named " + recipient + "."));
              }
              return mailboxes.store(envelope);
            })
        .thenApply(
            result -> {
              if (result.disposition() == Mailboxes.Disposition.STORED) {
                router.deliver(result.entry());
              }
              // A blocked sender sees the recipient as offline: held, like any offline user.
              Presence p = presence.visibleTo(recipient, envelope.sender().user());
              boolean held = p == Presence.OFFLINE || p == Presence.DND;
              return new SendOutcome(
                  envelope.messageId(), held, p, result.entry().envelope().serverTimeMs());
            });
  }

  /**
   * A connection has logged in (call after sending {@code LoginOk}): marks the user present, sends
   * {@code BacklogSummary}, then pushes the mailbox oldest first and {@code BacklogDone}; from then
   * on new messages are pushed live. The future completes once {@code BacklogDone} was queued (or
   * the connection closed).
   */
  public CompletableFuture<Void> connect(DeviceConnection connection) {
    DeviceSession session =
        new DeviceSession(
            connection, mailboxes, presence, settings.backlogPageSize(), settings.maxInFlight());
    if (sessions.putIfAbsent(connection, session) != null) {
      throw new IllegalStateException("connection already connected");
    }
    presence.connected(session.user());
    router.register(session);
    return session.start();
  }

  /** The connection closed: no more pushes to it; the last one makes the user OFFLINE. */
  public void disconnect(DeviceConnection connection) {
    DeviceSession session = sessions.remove(connection);
    if (session != null) {
      session.close();
      router.unregister(session);
      presence.disconnected(session.user());
    }
  }

  /**
   * The connection's user acks these envelopes after its own durable commit: they are deleted from
   * its mailbox (never from anyone else's). Completes with the number deleted, once durable.
   *
   * @return fails with {@link WireException} {@code INVALID_REQUEST} when more than {@link
   *     Settings#maxAckIds()} ids are given, or {@code NOT_AUTHENTICATED} for an unknown connection
   */
  public CompletableFuture<Integer> ack(DeviceConnection connection, List<MessageId> ids) {
    DeviceSession session = sessions.get(connection);
    if (session == null) {
      return CompletableFuture.failedFuture(
          new WireException(ErrorCode.NOT_AUTHENTICATED, "Log in before acknowledging messages."));
    }
    if (ids.size() > settings.maxAckIds()) {
      return CompletableFuture.failedFuture(
          new WireException(
              ErrorCode.INVALID_REQUEST,
              "At most " + settings.maxAckIds() + " message ids can be acknowledged at once."));
    }
    List<MessageId> copy = List.copyOf(ids);
    String user = session.user();
    return mailboxes
        .ack(user, copy, session.pushedSeqs(copy))
        .thenApply(
            n -> {
              router.acked(user, copy);
              return n;
            });
  }

  /** The connection's user chose a presence; leaving DND pushes what waited. */
  public void setPresence(DeviceConnection connection, Presence chosen) {
    presence.set(connection.address().user(), chosen);
  }

  /**
   * The connection can take pushes again after it refused one ({@link DeviceConnection#push}
   * returned false because its write queue was full): read the mailbox again for it.
   */
  public void resume(DeviceConnection connection) {
    DeviceSession s = sessions.get(connection);
    if (s != null) {
      s.resume();
    }
  }

  /** How many entries this connection has been pushed and not acked (for tests and metrics). */
  int inFlight(DeviceConnection connection) {
    DeviceSession s = sessions.get(connection);
    return s == null ? 0 : s.inFlightCount();
  }
}
