package dev.sotto.client.core.messaging;

import static dev.sotto.client.core.messaging.Context.address;
import static dev.sotto.client.core.messaging.Context.now;
import static dev.sotto.client.core.messaging.Conversions.*;

import com.google.protobuf.ByteString;
import dev.sotto.client.core.ConnectionClosedException;
import dev.sotto.client.core.InvalidInputException;
import dev.sotto.client.core.ServerException;
import dev.sotto.keystore.NoSessionException;
import dev.sotto.keystore.UntrustedIdentityException;
import dev.sotto.keystore.pqxdh.PreKeyMessage;
import dev.sotto.keystore.store.Contact;
import dev.sotto.keystore.store.Direction;
import dev.sotto.keystore.store.HistoryEntry;
import dev.sotto.keystore.store.LocalStoreException;
import dev.sotto.keystore.store.OutboxEntry;
import dev.sotto.keystore.store.PendingEntry;
import dev.sotto.keystore.store.Transaction;
import dev.sotto.keystore.store.TrustState;
import dev.sotto.wire.proto.Address;
import dev.sotto.wire.proto.Content;
import dev.sotto.wire.proto.Envelope;
import dev.sotto.wire.proto.EnvelopeType;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.PresenceState;
import dev.sotto.wire.proto.Receipt;
import dev.sotto.wire.proto.SendMessage;
import dev.sotto.wire.proto.Text;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sending: encrypts a text into the outbox (making a session first when needed), transmits outbox
 * entries, and records the server's answers (stored, held, refused for now or for good) in one
 * commit per batch of answers. Worker thread only, except {@link #send}.
 */
final class Outbox {
  private static final Logger logger = LoggerFactory.getLogger(Outbox.class);

  private final Context ctx;
  final Map<MessageId, CompletableFuture<Message>> storedWaiters = new ConcurrentHashMap<>();
  private final List<OutboxEntry> storedBatch = new ArrayList<>();
  private final Map<MessageId, PresenceState> heldInBatch = new HashMap<>();

  /** Most sends that may wait for a session at once (all peers). */
  private static final int MAX_PENDING_SENDS = 10_000;

  private Map<String, Integer> pendingSends;
  private boolean retryScheduled;

  /**
   * While {@link System#nanoTime} is before this, nothing is transmitted: the server refused a send
   * for now ({@code RATE_LIMITED}, {@code SERVER_BUSY}...) and asked for a wait. Then the whole
   * outbox goes again, oldest first, so the refused message keeps its place before later ones.
   * Worker thread only.
   */
  private long pausedUntilNanos;

  private boolean paused;

  /**
   * Set by a {@code RATE_LIMITED} or {@code SERVER_BUSY} answer: from then on one message is in
   * flight at a time, always the oldest in the outbox, so that a long outbox is not refused whole
   * again after every pause. Cleared once the outbox has nothing more to send. Worker thread only.
   */
  private boolean throttled;

  /** Entries refused for now on their own ({@code MAILBOX_FULL}...) that wait for their timer. */
  private final java.util.Set<MessageId> retryLater = new java.util.HashSet<>();

  /** When the user was last told of a pause ({@link System#nanoTime}), 0 if never. */
  private long noticedAt;

  private static final long NOTICEABLE_PAUSE_MS = 1000;
  private static final long NOTICE_INTERVAL = TimeUnit.SECONDS.toNanos(10);

  Outbox(Context ctx) {
    this.ctx = ctx;
  }

  /** Fails the futures of messages the server has not acknowledged yet (closing). */
  void failWaiters() {
    for (CompletableFuture<Message> w : storedWaiters.values()) {
      w.completeExceptionally(
          new NotConnectedException("Closed before the server acknowledged the message."));
    }
    storedWaiters.clear();
  }

  /**
   * Sends a text to {@code user}: sets up a session from their prekey bundle when there is none,
   * encrypts, commits to the outbox, sends. See {@link Outgoing} for the two futures and how they
   * fail. Messages to one user keep their order.
   */
  Outgoing send(String user, String text) {
    CompletableFuture<Message> committed = new CompletableFuture<>();
    CompletableFuture<Message> stored = new CompletableFuture<>();
    committed.whenComplete(
        (m, e) -> {
          if (e != null) {
            stored.completeExceptionally(e);
          }
        });
    if (!ctx.submit(committed, () -> doSend(user, text, committed, stored))) {
      stored.completeExceptionally(new NotConnectedException("The messenger is closed."));
    }
    return new Outgoing(committed, stored);
  }

  void doSend(
      String user,
      String text,
      CompletableFuture<Message> committed,
      CompletableFuture<Message> stored)
      throws Exception {
    String peer = ctx.peerName(user);
    Objects.requireNonNull(text, "text");
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    if (text.isBlank()) {
      throw new InvalidInputException("An empty message is not sent.");
    }
    if (utf8.length > Messenger.MAX_TEXT_BYTES) {
      throw new InvalidInputException(
          "A message may have at most "
              + Messenger.MAX_TEXT_BYTES
              + " bytes, this one has "
              + utf8.length);
    }
    if (pendingSends().containsKey(peer)) {
      queueSend(peer, text, committed, stored); // keeps the order behind earlier pending sends
      return;
    }
    try {
      ctx.sessions.ensureSendable(peer);
    } catch (ConnectionClosedException | NotConnectedException e) {
      // A new session needs the server: commit the text as pending and go on after the reconnect.
      if (ctx.closed.get()) {
        throw e;
      }
      queueSend(peer, text, committed, stored);
      return;
    }
    long now = now();
    byte[] content = textContent(text, now);
    MessageId id = MessageId.random(ctx.random);
    OutboxEntry entry;
    try {
      entry =
          ctx.store.encryptAndCommit(address(peer), peer, id.bytes(), ctx.username, content, now);
    } catch (UntrustedIdentityException e) {
      throw new IdentityChangedException(peer);
    }
    Optional<HistoryEntry> row = ctx.store.historyByMessageId(id.bytes());
    if (row.isEmpty()) {
      throw new IllegalStateException("a committed message has no history row");
    }
    accepted(toMessage(row.get(), MessageState.SENDING), committed, stored);
    transmit(entry);
  }

  private static byte[] textContent(String text, long now) {
    return Content.newBuilder()
        .setVersion(CONTENT_VERSION)
        .setSentAtMs(now)
        .setText(Text.newBuilder().setBody(text))
        .build()
        .toByteArray();
  }

  private void accepted(
      Message m, CompletableFuture<Message> committed, CompletableFuture<Message> stored) {
    storedWaiters.put(m.id(), stored);
    committed.complete(m);
    ctx.emit(new MessengerEvent.MessageSent(m));
  }

  // ------------------------------------------------------------------ pending sends

  /**
   * Per peer, how many sends wait for a session (committed as {@link PendingEntry.Kind#SEND}); read
   * from the store on first use. Worker thread only.
   */
  private Map<String, Integer> pendingSends() throws LocalStoreException {
    if (pendingSends == null) {
      pendingSends = ctx.pendingCounts(PendingEntry.Kind.SEND);
    }
    return pendingSends;
  }

  /**
   * Commits the text as a history row (state SENDING) and a sealed pending row in one batch: it is
   * durable once {@code committed} completes, and survives a close or a crash.
   */
  private void queueSend(
      String peer,
      String text,
      CompletableFuture<Message> committed,
      CompletableFuture<Message> stored)
      throws LocalStoreException, NotConnectedException {
    Map<String, Integer> counts = pendingSends();
    int total = counts.values().stream().mapToInt(Integer::intValue).sum();
    if (total >= MAX_PENDING_SENDS) {
      throw new NotConnectedException(
          "Not connected, and too many messages are waiting for the connection.");
    }
    long now = now();
    byte[] content = textContent(text, now);
    MessageId id = MessageId.random(ctx.random);
    HistoryEntry h;
    try (Transaction tx = ctx.store.begin()) {
      h = tx.appendHistory(peer, id.bytes(), Direction.OUTGOING, ctx.username, now, content);
      tx.addPending(PendingEntry.Kind.SEND, address(peer), id.bytes(), content, now);
      tx.commit();
    }
    counts.merge(peer, 1, Integer::sum);
    logger.info("message {} to {} waits for a session", id, peer);
    accepted(toMessage(h, MessageState.SENDING), committed, stored);
    ConnectionSupervisor.Link l = ctx.connection.link;
    if (l != null && l.usable()) {
      // Connected again (or waiting behind an earlier pending send): try them now, in order.
      ctx.runOnWorker(this::flushPendingSends);
    }
  }

  /**
   * Moves the pending sends, oldest first, into the outbox once their sessions can be made, and
   * transmits them. Stops at the first one that needs the server while it is away (the next
   * reconnect calls this again); one refused for good (changed identity, unknown user) is marked
   * FAILED.
   */
  void flushPendingSends() {
    List<PendingEntry> all;
    try {
      if (pendingSends().isEmpty()) {
        return;
      }
      all = ctx.store.pending(Integer.MAX_VALUE);
    } catch (LocalStoreException e) {
      ctx.problem("The pending messages could not be read: " + e.getMessage());
      return;
    }
    java.util.Set<String> stuck = new java.util.HashSet<>();
    for (PendingEntry p : all) {
      String peer = p.peer().name();
      if (p.kind() != PendingEntry.Kind.SEND || stuck.contains(peer)) {
        continue;
      }
      ConnectionSupervisor.Link l = ctx.connection.link;
      if (l == null || !l.usable()) {
        return;
      }
      try {
        ctx.sessions.ensureSendable(peer);
      } catch (ConnectionClosedException | NotConnectedException e) {
        return;
      } catch (dev.sotto.client.core.RequestTimeoutException | LocalStoreException e) {
        logger.info("pending message {} to {} waits: {}", idOf(p), peer, e.getMessage());
        stuck.add(peer);
        retryPendingLater();
        continue;
      } catch (Exception e) {
        failPending(p, e);
        continue;
      }
      OutboxEntry entry;
      try (Transaction tx = ctx.store.begin()) {
        byte[] ct = tx.sessionCipher().encrypt(p.peer(), p.payload());
        entry = tx.addToOutbox(p.peer(), p.messageId(), ct, now());
        tx.removePending(p.seq());
        tx.commit();
      } catch (UntrustedIdentityException e) {
        failPending(p, new IdentityChangedException(peer));
        continue;
      } catch (NoSessionException | LocalStoreException e) {
        logger.info("pending message {} to {} waits: {}", idOf(p), peer, e.getMessage());
        stuck.add(peer);
        retryPendingLater();
        continue;
      }
      forget(peer);
      transmit(entry);
    }
  }

  /** Tries the pending sends again in 2 s; at most one such retry is scheduled at a time. */
  private void retryPendingLater() {
    if (retryScheduled) {
      return;
    }
    retryScheduled = true;
    try {
      ctx.timer.schedule(
          () ->
              ctx.runOnWorker(
                  () -> {
                    retryScheduled = false;
                    flushPendingSends();
                  }),
          2,
          java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // Closed: the pending rows wait for the next start.
    }
  }

  private void failPending(PendingEntry p, Exception cause) {
    MessageId id = idOf(p);
    String peer = p.peer().name();
    logger.info("pending message {} to {} refused for good: {}", id, peer, cause.getMessage());
    try (Transaction tx = ctx.store.begin()) {
      tx.removePending(p.seq());
      tx.setMessageState(p.messageId(), dev.sotto.keystore.store.MessageState.FAILED);
      tx.commit();
    } catch (LocalStoreException ex) {
      ctx.problem("The local store could not be written: " + ex.getMessage());
      return;
    }
    forget(peer);
    ctx.emit(new MessengerEvent.MessageStateChanged(peer, id, MessageState.FAILED));
    CompletableFuture<Message> w = storedWaiters.remove(id);
    if (w != null) {
      w.completeExceptionally(cause);
    }
  }

  private void forget(String peer) {
    pendingSends.computeIfPresent(peer, (k, n) -> n <= 1 ? null : n - 1);
  }

  private static MessageId idOf(PendingEntry p) {
    return MessageId.of(p.messageId());
  }

  /** Sends one outbox entry on the current link; its result is handled on the worker. */
  void transmit(OutboxEntry e) {
    ConnectionSupervisor.Link l = ctx.connection.link;
    if (l == null || !l.usable() || paused || retryLater.contains(MessageId.of(e.messageId()))) {
      return; // stays in the outbox: the reconnect, the end of the pause or its timer sends it
    }
    if (throttled) {
      sendNextWhileThrottled(l);
      return;
    }
    send(l, e);
  }

  /** While throttled: sends the oldest entry that can go, if nothing is in flight. */
  private void sendNextWhileThrottled(ConnectionSupervisor.Link l) {
    if (paused || !l.usable() || !l.inFlight.isEmpty()) {
      return; // the answer in flight, or the end of the pause, comes back here
    }
    List<OutboxEntry> all;
    try {
      all = ctx.store.outbox(Integer.MAX_VALUE);
    } catch (LocalStoreException ex) {
      ctx.problem("The outbox could not be read: " + ex.getMessage());
      return;
    }
    for (OutboxEntry e : all) {
      if (!retryLater.contains(MessageId.of(e.messageId()))) {
        send(l, e);
        return;
      }
    }
    throttled = false;
    logger.info("outbox empty; sending at full pace again");
  }

  /** After an answer while throttled: the next message goes. */
  private void continueIfThrottled() {
    ConnectionSupervisor.Link l = ctx.connection.link;
    if (throttled && l != null) {
      sendNextWhileThrottled(l);
    }
  }

  private void send(ConnectionSupervisor.Link l, OutboxEntry e) {
    if (!l.inFlight.add(MessageId.of(e.messageId()))) {
      return;
    }
    byte[] ct = e.ciphertext();
    Envelope env =
        Envelope.newBuilder()
            .setMessageId(ByteString.copyFrom(e.messageId()))
            .setRecipient(
                Address.newBuilder()
                    .setUser(e.recipient().name())
                    .setDeviceId(e.recipient().deviceId()))
            .setType(
                (ct[0] & 0xFF) == PreKeyMessage.TYPE
                    ? EnvelopeType.PRE_KEY_MESSAGE
                    : EnvelopeType.MESSAGE)
            .setCiphertext(ByteString.copyFrom(ct))
            .build();
    l.session
        .connection()
        .request(Frame.newBuilder().setSendMessage(SendMessage.newBuilder().setEnvelope(env)))
        .whenComplete(
            (frame, error) -> {
              try {
                ctx.worker.execute(() -> sendResult(l, e, frame, error));
              } catch (java.util.concurrent.RejectedExecutionException closedMeanwhile) {
                // Closed: the entry stays in the outbox for the next start.
              }
            });
  }

  void sendResult(ConnectionSupervisor.Link l, OutboxEntry e, Frame frame, Throwable error) {
    MessageId id = MessageId.of(e.messageId());
    l.inFlight.remove(id);
    if (error != null) {
      // Connection lost or timed out: the entry stays in the outbox and goes again on reconnect.
      if (error instanceof dev.sotto.client.core.RequestTimeoutException && l.usable()) {
        transmit(e);
      }
      return;
    }
    if (frame.getBodyCase() == Frame.BodyCase.STORED) {
      storedBatch.add(e);
      if (frame.getStored().getHeld()) {
        heldInBatch.put(id, frame.getStored().getRecipientPresence());
      }
      if (storedBatch.size() == 1) {
        try {
          // Later answers already queued join this batch: one commit for all of them.
          ctx.worker.execute(this::flushStored);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
          flushStored();
        }
      }
      return;
    }
    if (frame.getBodyCase() == Frame.BodyCase.ERROR) {
      ServerException se = ServerException.of(frame.getError());
      switch (se.code()) {
        case RATE_LIMITED, SERVER_BUSY -> {
          // About this account or the whole server: every send waits, and order is kept.
          long delay = retryDelay(se);
          logger.info(
              "message {} to {} refused for now ({}); sending pauses {} ms",
              id,
              e.recipient(),
              se.code(),
              delay);
          throttled = true;
          pause(delay, se.code());
        }
        case MAILBOX_FULL, INTERNAL -> {
          // About this recipient or this message: it alone goes again later.
          long delay = retryDelay(se);
          logger.info(
              "message {} to {} refused for now ({}); retrying", id, e.recipient(), se.code());
          retryLater.add(id);
          ctx.timer.schedule(
              () ->
                  ctx.runOnWorker(
                      () -> {
                        retryLater.remove(id);
                        transmit(e);
                      }),
              delay,
              TimeUnit.MILLISECONDS);
          continueIfThrottled();
        }
        default -> {
          failOutbox(e, se);
          continueIfThrottled();
        }
      }
      return;
    }
    logger.warn("message {} answered with {}", id, frame.getBodyCase());
  }

  /** The server's {@code retry_after_ms} (2 s without one), within 10 ms to 60 s. */
  private static long retryDelay(ServerException se) {
    long delay = se.retryAfter().map(Duration::toMillis).orElse(2000L);
    return Math.min(Math.max(delay, 10), 60_000);
  }

  /**
   * Stops transmitting for {@code delayMs} (or longer, if a pause already runs longer), tells the
   * user once per pause, and then sends the outbox again in order. Worker thread only.
   */
  private void pause(long delayMs, dev.sotto.wire.proto.ErrorCode why) {
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMs);
    if (paused && until - pausedUntilNanos <= 0) {
      return;
    }
    pausedUntilNanos = until;
    if (!paused) {
      paused = true;
      scheduleResume(delayMs);
    }
    // A pause the user would notice is told, at most once per NOTICE_INTERVAL.
    long now = System.nanoTime();
    if (delayMs >= NOTICEABLE_PAUSE_MS && (noticedAt == 0 || now - noticedAt >= NOTICE_INTERVAL)) {
      noticedAt = now;
      ctx.emit(new MessengerEvent.SendingPaused(Duration.ofMillis(delayMs), why.name()));
    }
  }

  private void scheduleResume(long delayMs) {
    try {
      ctx.timer.schedule(
          () -> ctx.runOnWorker(this::resumeSending), delayMs, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // Closed: the outbox waits for the next start.
    }
  }

  /** The end of a pause: extended meanwhile, wait on; else send the whole outbox in order. */
  private void resumeSending() {
    long left = pausedUntilNanos - System.nanoTime();
    if (left > 0) {
      scheduleResume(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      return;
    }
    paused = false;
    flushStored(); // answers already in: those entries leave the outbox before it is read
    ConnectionSupervisor.Link l = ctx.connection.link;
    if (l != null) {
      resendOutbox(l);
    }
  }

  void flushStored() {
    if (storedBatch.isEmpty()) {
      return;
    }
    List<OutboxEntry> batch = new ArrayList<>(storedBatch);
    storedBatch.clear();
    Map<MessageId, PresenceState> heldNow = new HashMap<>(heldInBatch);
    heldInBatch.clear();
    List<MessengerEvent> events = new ArrayList<>();
    try (Transaction tx = ctx.store.begin()) {
      for (OutboxEntry e : batch) {
        tx.removeFromOutbox(e.seq());
        Optional<HistoryEntry> h = tx.historyByMessageId(e.messageId());
        if (h.isPresent()) {
          Optional<dev.sotto.keystore.store.MessageState> st =
              ctx.store.messageState(e.messageId());
          if (st.isEmpty() || st.get() == dev.sotto.keystore.store.MessageState.PENDING) {
            tx.setMessageState(e.messageId(), dev.sotto.keystore.store.MessageState.SENT);
            MessageId mid = MessageId.of(e.messageId());
            events.add(
                new MessengerEvent.MessageStateChanged(
                    h.get().conversation(), mid, MessageState.STORED));
            PresenceState held = heldNow.get(mid);
            if (held != null) {
              events.add(
                  new MessengerEvent.MessageHeld(h.get().conversation(), mid, fromWire(held)));
            }
          }
        }
      }
      tx.commit();
    } catch (LocalStoreException | RuntimeException ex) {
      logger.warn("could not record {} acknowledged messages: {}", batch.size(), ex.getMessage());
      ctx.problem("The local store could not be written: " + ex.getMessage());
      return;
    }
    events.forEach(ctx::emit);
    continueIfThrottled();
    for (OutboxEntry e : batch) {
      CompletableFuture<Message> w = storedWaiters.remove(MessageId.of(e.messageId()));
      if (w != null) {
        try {
          Optional<HistoryEntry> h = ctx.store.historyByMessageId(e.messageId());
          if (h.isPresent()) {
            w.complete(toMessage(h.get(), MessageState.STORED));
          } else {
            w.completeExceptionally(new IllegalStateException("sent message vanished"));
          }
        } catch (LocalStoreException ex) {
          w.completeExceptionally(ex);
        }
      }
    }
  }

  void failOutbox(OutboxEntry e, ServerException cause) {
    logger.info(
        "message {} to {} refused for good: {}",
        MessageId.of(e.messageId()),
        e.recipient(),
        cause.code());
    try (Transaction tx = ctx.store.begin()) {
      tx.removeFromOutbox(e.seq());
      boolean known =
          tx.setMessageState(e.messageId(), dev.sotto.keystore.store.MessageState.FAILED);
      tx.commit();
      if (known) {
        ctx.emit(
            new MessengerEvent.MessageStateChanged(
                e.recipient().name(), MessageId.of(e.messageId()), MessageState.FAILED));
      }
    } catch (LocalStoreException ex) {
      ctx.problem("The local store could not be written: " + ex.getMessage());
    }
    CompletableFuture<Message> w = storedWaiters.remove(MessageId.of(e.messageId()));
    if (w != null) {
      w.completeExceptionally(cause);
    }
  }

  void resendOutbox(ConnectionSupervisor.Link l) {
    if (!l.usable()) {
      return;
    }
    try {
      List<OutboxEntry> all = ctx.store.outbox(Integer.MAX_VALUE);
      if (!all.isEmpty()) {
        logger.info("resending {} outbox entries", all.size());
      }
      for (OutboxEntry e : all) {
        transmit(e);
      }
    } catch (LocalStoreException e) {
      ctx.problem("The outbox could not be read: " + e.getMessage());
    }
  }

  /** Encrypts a receipt into the outbox within {@code tx}; null if it cannot be sent. */
  OutboxEntry receiptEntry(
      Transaction tx, String peer, Receipt.Kind kind, List<byte[]> ids, long now)
      throws LocalStoreException {
    Receipt.Builder r = Receipt.newBuilder().setKind(kind);
    for (byte[] id : ids) {
      r.addMessageIds(ByteString.copyFrom(id));
    }
    byte[] content =
        Content.newBuilder()
            .setVersion(CONTENT_VERSION)
            .setSentAtMs(now)
            .setReceipt(r)
            .build()
            .toByteArray();
    return encryptControl(tx, peer, content, now);
  }

  OutboxEntry encryptControl(Transaction tx, String peer, byte[] content, long now)
      throws LocalStoreException {
    Optional<Contact> c = tx.contact(peer);
    if (c.isPresent() && c.get().trust() == TrustState.CHANGED) {
      return null;
    }
    try {
      byte[] ct = tx.sessionCipher().encrypt(address(peer), content);
      return tx.addToOutbox(address(peer), MessageId.random(ctx.random).bytes(), ct, now);
    } catch (NoSessionException | UntrustedIdentityException e) {
      logger.info("no receipt to {}: {}", peer, e.getMessage());
      return null;
    }
  }
}
