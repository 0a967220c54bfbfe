package dev.sotto.client.core.messaging;

import static dev.sotto.client.core.messaging.Context.now;
import static dev.sotto.client.core.messaging.Conversions.*;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.sotto.client.core.Session;
import dev.sotto.keystore.DuplicateMessageException;
import dev.sotto.keystore.InvalidMessageException;
import dev.sotto.keystore.NoSessionException;
import dev.sotto.keystore.ProtocolAddress;
import dev.sotto.keystore.UntrustedIdentityException;
import dev.sotto.keystore.identity.IdentityKey;
import dev.sotto.keystore.pqxdh.PreKeyMessage;
import dev.sotto.keystore.ratchet.SessionRecord;
import dev.sotto.keystore.store.Contact;
import dev.sotto.keystore.store.Conversation;
import dev.sotto.keystore.store.Direction;
import dev.sotto.keystore.store.HistoryEntry;
import dev.sotto.keystore.store.LocalStoreException;
import dev.sotto.keystore.store.OutboxEntry;
import dev.sotto.keystore.store.PendingEntry;
import dev.sotto.keystore.store.Transaction;
import dev.sotto.keystore.store.TrustState;
import dev.sotto.wire.proto.AckMessages;
import dev.sotto.wire.proto.Content;
import dev.sotto.wire.proto.Envelope;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.Receipt;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receiving: drains pushes on the worker, decrypts and commits each batch of messages (session,
 * history, unread counts, delivery receipts) in one transaction, reports, then acks on the link the
 * messages came on. Also applies receipts and marks conversations read.
 */
final class Receiver {
  private static final Logger logger = LoggerFactory.getLogger(Receiver.class);
  private static final int MAX_BATCH = 256;
  private static final int MAX_ACK_IDS = 500;

  private final Context ctx;
  private final BlockingQueue<Inbound> inbound = new LinkedBlockingQueue<>();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  volatile boolean readReceipts;

  /**
   * A push and the link it came on (null: nothing to ack), or a message released from the pending
   * queue ({@code pendingSeq} > 0).
   */
  record Inbound(ConnectionSupervisor.Link link, Frame frame, long pendingSeq) {}

  /** Most messages held (sealed in the store) per sender whose identity changed. */
  static final int MAX_HELD_PER_USER = 10_000;

  /** Per sender, how many messages are held for trust; read from the store on first use. */
  private Map<String, Integer> heldCounts;

  Receiver(Context ctx) {
    this.ctx = ctx;
  }

  /** Queues a push for the worker (any thread). */
  void enqueue(ConnectionSupervisor.Link link, Frame push) {
    inbound.add(new Inbound(link, push, 0));
    scheduleDrain();
  }

  /** What became of one received envelope. */
  private enum Outcome {
    SHOWN,
    SILENT,
    HELD,
    UNDECRYPTABLE
  }

  void scheduleDrain() {
    if (drainScheduled.compareAndSet(false, true)) {
      try {
        ctx.worker.execute(this::drain);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // Closed.
      }
    }
  }

  void drain() {
    drainScheduled.set(false);
    List<Inbound> batch = new ArrayList<>();
    inbound.drainTo(batch, 4 * MAX_BATCH);
    int i = 0;
    while (i < batch.size()) {
      Inbound first = batch.get(i);
      if (first.frame().getBodyCase() == Frame.BodyCase.MESSAGE_PUSH && !ctx.config.receiving()) {
        i++; // Not acked: the server keeps it for a receiving client.
      } else if (first.frame().getBodyCase() == Frame.BodyCase.MESSAGE_PUSH) {
        List<Inbound> messages = new ArrayList<>();
        while (i < batch.size()
            && messages.size() < MAX_BATCH
            && batch.get(i).frame().getBodyCase() == Frame.BodyCase.MESSAGE_PUSH) {
          messages.add(batch.get(i));
          i++;
        }
        receive(messages);
      } else {
        other(first);
        i++;
      }
    }
    if (!inbound.isEmpty()) {
      scheduleDrain();
    }
  }

  void other(Inbound in) {
    Frame f = in.frame();
    switch (f.getBodyCase()) {
      case BACKLOG_SUMMARY -> {
        List<MessengerEvent.SenderCount> counts = new ArrayList<>();
        for (var c : f.getBacklogSummary().getCountsList()) {
          counts.add(new MessengerEvent.SenderCount(c.getSender(), c.getCount()));
        }
        ctx.emit(new MessengerEvent.BacklogSummary(counts));
      }
      case BACKLOG_DONE -> ctx.emit(new MessengerEvent.BacklogDone());
      case PRESENCE_PUSH ->
          ctx.emit(
              new MessengerEvent.PresenceChanged(
                  f.getPresencePush().getUsername(), fromWire(f.getPresencePush().getPresence())));
      case PRE_KEYS_LOW -> {
        Session s = in.link().session;
        if (s != null && in.link().usable()) {
          try {
            ctx.preKeys.checkPreKeys(s);
          } catch (Exception e) {
            logger.warn("prekey top-up failed: {}", e.getMessage());
            ctx.problem("New prekeys could not be uploaded: " + e.getMessage());
          }
        }
      }
      default -> logger.debug("ignoring a {} push", f.getBodyCase());
    }
  }

  void receive(List<Inbound> batch) {
    List<MessengerEvent> events = new ArrayList<>();
    List<Inbound> acks = new ArrayList<>();
    Map<String, Integer> newlyHeld = new HashMap<>();
    List<String> resets = new ArrayList<>();
    List<OutboxEntry> receipts = new ArrayList<>();
    Map<String, List<byte[]>> delivered = new LinkedHashMap<>();
    Map<MessageId, MessageState> stateInBatch = new HashMap<>();
    long now = now();
    try (Transaction tx = ctx.store.begin()) {
      for (Inbound in : batch) {
        Envelope env = in.frame().getMessagePush().getEnvelope();
        Outcome o;
        try {
          o = receiveOne(tx, env, now, events, delivered, stateInBatch);
        } catch (IllegalArgumentException bad) {
          // The server validates envelopes; one that still breaks a rule is dropped, not acked
          // (an ack naming a malformed id would be refused as a whole).
          logger.info("dropping a malformed envelope: {}", bad.getMessage());
          continue;
        }
        switch (o) {
          case SHOWN, SILENT -> acks.add(in);
          case UNDECRYPTABLE -> {
            acks.add(in);
            resets.add(env.getSender().getUser());
          }
          case HELD -> {
            if (in.pendingSeq() == 0 && hold(tx, env, now, newlyHeld)) {
              acks.add(in);
            }
          }
        }
        if (in.pendingSeq() > 0 && o != Outcome.HELD) {
          tx.removePending(in.pendingSeq());
        }
      }
      for (Map.Entry<String, List<byte[]>> d : delivered.entrySet()) {
        OutboxEntry r =
            ctx.outbox.receiptEntry(tx, d.getKey(), Receipt.Kind.DELIVERED, d.getValue(), now);
        if (r != null) {
          receipts.add(r);
        }
      }
      tx.commit();
    } catch (LocalStoreException | RuntimeException e) {
      logger.warn("could not commit {} received messages: {}", batch.size(), e.getMessage());
      ctx.problem(
          "Received messages could not be stored (they will come again): " + e.getMessage());
      return;
    }
    newlyHeld.forEach((peer, n) -> heldCounts.merge(peer, n, Integer::sum));
    events.forEach(ctx::emit);
    ack(acks);
    for (OutboxEntry r : receipts) {
      ctx.outbox.transmit(r);
    }
    for (String peer : resets) {
      ctx.sessions.requestReset(peer);
    }
  }

  Outcome receiveOne(
      Transaction tx,
      Envelope env,
      long now,
      List<MessengerEvent> events,
      Map<String, List<byte[]>> delivered,
      Map<MessageId, MessageState> stateInBatch)
      throws LocalStoreException {
    String peer = env.getSender().getUser();
    int device = env.getSender().getDeviceId() == 0 ? 1 : env.getSender().getDeviceId();
    ProtocolAddress from = new ProtocolAddress(peer, device);
    MessageId id = MessageId.of(env.getMessageId().toByteArray());
    if (tx.historyByMessageId(id.bytes()).isPresent()) {
      return Outcome.SILENT;
    }
    byte[] ciphertext = env.getCiphertext().toByteArray();
    int skippedBefore = skipped(tx, from);
    byte[] plain;
    try {
      plain = tx.sessionCipher().decrypt(from, ciphertext);
    } catch (DuplicateMessageException e) {
      logger.debug("message {} from {} was already received", id, peer);
      return Outcome.SILENT;
    } catch (UntrustedIdentityException e) {
      identityChangedOnReceive(tx, peer, ciphertext, events);
      return Outcome.HELD;
    } catch (InvalidMessageException | NoSessionException e) {
      logger.info("message {} from {} cannot be decrypted: {}", id, peer, e.getMessage());
      HistoryEntry h =
          tx.appendHistory(peer, id.bytes(), Direction.INCOMING, peer, now, new byte[0]);
      Message m = toMessage(h, MessageState.UNREAD);
      events.add(new MessengerEvent.MessageReceived(m));
      events.add(new MessengerEvent.Undecryptable(peer, id, e.getMessage()));
      events.add(new MessengerEvent.UnreadChanged(peer, unread(tx, peer)));
      return Outcome.UNDECRYPTABLE;
    }
    int skippedAfter = skipped(tx, from);
    if (skippedBefore >= 0 && skippedAfter > skippedBefore) {
      events.add(new MessengerEvent.Gap(peer, skippedAfter - skippedBefore));
    }
    if (tx.contact(peer).isEmpty()) {
      tx.putContact(new Contact(peer, TrustState.FIRST_USE, Optional.empty(), now));
    }
    Content content;
    try {
      content = Content.parseFrom(plain);
    } catch (InvalidProtocolBufferException e) {
      content = null;
    }
    if (content != null && content.getVersion() == CONTENT_VERSION) {
      switch (content.getBodyCase()) {
        case RECEIPT -> {
          applyReceipt(tx, peer, content.getReceipt(), events, stateInBatch);
          return Outcome.SILENT;
        }
        case SESSION_RESET -> {
          logger.info("{} reset the session", peer);
          return Outcome.SILENT;
        }
        default -> {
          // TEXT and kinds this version does not know are kept and shown.
        }
      }
    }
    HistoryEntry h = tx.appendHistory(peer, id.bytes(), Direction.INCOMING, peer, now, plain);
    events.add(new MessengerEvent.MessageReceived(toMessage(h, MessageState.UNREAD)));
    events.add(new MessengerEvent.UnreadChanged(peer, unread(tx, peer)));
    delivered.computeIfAbsent(peer, k -> new ArrayList<>()).add(id.bytes());
    return Outcome.SHOWN;
  }

  static int unread(Transaction tx, String peer) throws LocalStoreException {
    return tx.conversation(peer).map(Conversation::unread).orElse(0);
  }

  /** The current session's stored skipped-key count, or -1 without a session. */
  static int skipped(Transaction tx, ProtocolAddress from) {
    Optional<SessionRecord> r = tx.keyStores().sessions().loadSession(from);
    return r.map(s -> s.current().skippedKeyCount()).orElse(-1);
  }

  void applyReceipt(
      Transaction tx,
      String peer,
      Receipt receipt,
      List<MessengerEvent> events,
      Map<MessageId, MessageState> stateInBatch)
      throws LocalStoreException {
    MessageState target =
        switch (receipt.getKind()) {
          case DELIVERED -> MessageState.DELIVERED;
          case READ -> MessageState.READ;
          default -> null;
        };
    if (target == null) {
      return;
    }
    int n = 0;
    for (ByteString raw : receipt.getMessageIdsList()) {
      if (raw.size() != MessageId.LENGTH || ++n > 10_000) {
        continue;
      }
      MessageId id = MessageId.of(raw.toByteArray());
      Optional<HistoryEntry> h = tx.historyByMessageId(id.bytes());
      // Only our own messages to this peer: a peer cannot tick anyone else's messages.
      if (h.isEmpty()
          || h.get().direction() != Direction.OUTGOING
          || !h.get().conversation().equals(peer)) {
        continue;
      }
      MessageState current = stateInBatch.get(id);
      if (current == null) {
        current =
            ctx.store
                .messageState(id.bytes())
                .map(Conversions::fromStore)
                .orElse(MessageState.SENDING);
      }
      if (rank(target) > rank(current)) {
        tx.setMessageState(id.bytes(), toStore(target));
        stateInBatch.put(id, target);
        events.add(new MessengerEvent.MessageStateChanged(peer, id, target));
      }
    }
  }

  void identityChangedOnReceive(
      Transaction tx, String peer, byte[] ciphertext, List<MessengerEvent> events)
      throws LocalStoreException {
    IdentityKey fresh = null;
    if (ciphertext.length > 0 && (ciphertext[0] & 0xFF) == PreKeyMessage.TYPE) {
      try {
        fresh = PreKeyMessage.parse(ciphertext).identityKey();
      } catch (InvalidMessageException e) {
        fresh = null;
      }
    }
    Optional<Contact> c = tx.contact(peer);
    boolean alreadyKnown =
        c.isPresent()
            && c.get().trust() == TrustState.CHANGED
            && c.get().pendingIdentity().isPresent()
            && fresh != null
            && c.get().pendingIdentity().get().equals(fresh);
    if (fresh != null && !alreadyKnown) {
      tx.putContact(new Contact(peer, TrustState.CHANGED, Optional.of(fresh), now()));
      events.add(
          new MessengerEvent.IdentityChanged(peer, ctx.safetyNumberWith(peer, fresh).formatted()));
    }
    logger.info("message from {} held: identity changed", peer);
  }

  /**
   * Stages a message from a sender whose identity changed as a sealed pending row, so that it can
   * be acked (it no longer counts against the server's in-flight limit) and processed after {@code
   * trust}. False beyond {@link #MAX_HELD_PER_USER}: then it is not acked and the server keeps it.
   */
  private boolean hold(Transaction tx, Envelope env, long now, Map<String, Integer> newlyHeld)
      throws LocalStoreException {
    String peer = env.getSender().getUser();
    int device = env.getSender().getDeviceId() == 0 ? 1 : env.getSender().getDeviceId();
    int count = heldCounts().getOrDefault(peer, 0) + newlyHeld.getOrDefault(peer, 0);
    if (count >= MAX_HELD_PER_USER) {
      logger.warn(
          "{} messages from {} already wait for trust; leaving more on the server", count, peer);
      return false;
    }
    tx.addPending(
        PendingEntry.Kind.RECEIVE,
        new ProtocolAddress(peer, device),
        env.getMessageId().toByteArray(),
        env.getCiphertext().toByteArray(),
        now);
    newlyHeld.merge(peer, 1, Integer::sum);
    return true;
  }

  private Map<String, Integer> heldCounts() throws LocalStoreException {
    if (heldCounts == null) {
      heldCounts = ctx.pendingCounts(PendingEntry.Kind.RECEIVE);
    }
    return heldCounts;
  }

  /**
   * Processes, oldest first, the messages held for {@code peer} (the user just accepted their new
   * identity): each batch is decrypted and committed together with the removal of its pending rows.
   */
  void releaseHeld(String peer) throws LocalStoreException {
    List<Inbound> waiting = new ArrayList<>();
    for (PendingEntry p : ctx.store.pending(Integer.MAX_VALUE)) {
      if (p.kind() != PendingEntry.Kind.RECEIVE || !p.peer().name().equals(peer)) {
        continue;
      }
      Envelope env =
          Envelope.newBuilder()
              .setMessageId(ByteString.copyFrom(p.messageId()))
              .setSender(
                  dev.sotto.wire.proto.Address.newBuilder()
                      .setUser(peer)
                      .setDeviceId(p.peer().deviceId()))
              .setCiphertext(ByteString.copyFrom(p.payload()))
              .build();
      Frame f =
          Frame.newBuilder()
              .setMessagePush(dev.sotto.wire.proto.MessagePush.newBuilder().setEnvelope(env))
              .build();
      waiting.add(new Inbound(null, f, p.seq()));
    }
    if (!waiting.isEmpty()) {
      logger.info("processing {} messages from {} held for trust", waiting.size(), peer);
    }
    for (int i = 0; i < waiting.size(); i += MAX_BATCH) {
      receive(waiting.subList(i, Math.min(waiting.size(), i + MAX_BATCH)));
    }
    heldCounts().remove(peer);
  }

  void ack(List<Inbound> acks) {
    Map<ConnectionSupervisor.Link, List<ByteString>> byLink = new LinkedHashMap<>();
    for (Inbound in : acks) {
      byLink
          .computeIfAbsent(in.link(), k -> new ArrayList<>())
          .add(in.frame().getMessagePush().getEnvelope().getMessageId());
    }
    for (Map.Entry<ConnectionSupervisor.Link, List<ByteString>> e : byLink.entrySet()) {
      ConnectionSupervisor.Link l = e.getKey();
      Session s = l == null ? null : l.session;
      if (s == null || s.connection().isClosed()) {
        continue; // The server sends them again at the next login; they are found as duplicates.
      }
      List<ByteString> ids = e.getValue();
      for (int i = 0; i < ids.size(); i += MAX_ACK_IDS) {
        s.connection()
            .request(
                Frame.newBuilder()
                    .setAckMessages(
                        AckMessages.newBuilder()
                            .addAllMessageIds(
                                ids.subList(i, Math.min(ids.size(), i + MAX_ACK_IDS)))));
      }
    }
  }

  void doMarkRead(String user, CompletableFuture<Void> f) throws Exception {
    String peer = ctx.peerName(user);
    Optional<Conversation> c = ctx.store.conversation(peer);
    if (c.isEmpty() || c.get().unread() == 0) {
      f.complete(null);
      return;
    }
    int wanted = c.get().unread();
    List<byte[]> ids = new ArrayList<>();
    long before = Long.MAX_VALUE;
    int scanned = 0;
    while (ids.size() < wanted && scanned < 100_000) {
      List<HistoryEntry> page = ctx.store.history(peer, before, 500);
      if (page.isEmpty()) {
        break;
      }
      for (HistoryEntry h : page) {
        scanned++;
        before = h.seq();
        if (h.direction() == Direction.INCOMING
            && ctx.store
                .messageState(h.messageId())
                .map(s -> s == dev.sotto.keystore.store.MessageState.RECEIVED)
                .orElse(false)) {
          ids.add(h.messageId());
        }
      }
    }
    OutboxEntry receipt = null;
    long now = now();
    try (Transaction tx = ctx.store.begin()) {
      for (byte[] id : ids) {
        tx.setMessageState(id, dev.sotto.keystore.store.MessageState.SEEN);
      }
      tx.markRead(peer);
      if (readReceipts && !ids.isEmpty()) {
        receipt = ctx.outbox.receiptEntry(tx, peer, Receipt.Kind.READ, ids, now);
      }
      tx.commit();
    }
    for (byte[] id : ids) {
      ctx.emit(new MessengerEvent.MessageStateChanged(peer, MessageId.of(id), MessageState.SEEN));
    }
    ctx.emit(new MessengerEvent.UnreadChanged(peer, 0));
    if (receipt != null) {
      ctx.outbox.transmit(receipt);
    }
    f.complete(null);
  }
}
