package dev.sotto.bench.load;

import dev.sotto.keystore.identity.IdentityKeyPair;
import dev.sotto.keystore.store.Direction;
import dev.sotto.keystore.store.LocalStore;
import dev.sotto.keystore.store.LocalStoreException;
import dev.sotto.keystore.store.Transaction;
import dev.sotto.wire.proto.Envelope;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One W3 recipient's client-side store, written the way the client's receive path writes it: the
 * connection hands over each read burst of pushes; a worker thread of its own (the client's worker)
 * drains what has accumulated, commits at most {@link #MAX_BATCH} messages per transaction of the
 * client's {@link LocalStore} (history row, message-id index and unread count per message, one
 * durable journal batch through the store's group commit), and only then reports the ids so that
 * the connection acks them. A message already in the history (a redelivery) is acked without a
 * second write, as the client does.
 *
 * <p>Not the client: the payload is stored as received (the ciphertext stands where the client
 * stores the decrypted text, a few bytes longer); decryption and the ratchet's session record are
 * not included.
 */
final class ClientInbox implements AutoCloseable {
  /** Messages committed per transaction: the client's {@code Receiver.MAX_BATCH}. */
  static final int MAX_BATCH = 256;

  /** Pushes taken per drain: the client takes four batches' worth. */
  static final int MAX_DRAIN = 4 * MAX_BATCH;

  /** Ids made durable by one commit, and when it returned. */
  record Durable(List<com.google.protobuf.ByteString> ids, int written, long nanos) {}

  private final LocalStore store;
  private final ExecutorService worker;
  private final Consumer<Durable> onDurable;
  private final Consumer<String> onFailure;
  private final BlockingQueue<Envelope> inbound = new LinkedBlockingQueue<>();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();

  private ClientInbox(
      LocalStore store, String name, Consumer<Durable> onDurable, Consumer<String> onFailure) {
    this.store = store;
    this.onDurable = onDurable;
    this.onFailure = onFailure;
    this.worker =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "w3-client-worker-" + name);
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Creates a new client store in {@code dir} (product {@code StoreOptions}, a fresh identity and
   * store key, as a first login does) and its worker.
   *
   * @param onDurable called on the worker after each commit; it must hand over to its own thread
   * @param onFailure called on the worker when a commit fails (those messages are not acked)
   */
  static ClientInbox create(
      Path dir,
      String name,
      SecureRandom random,
      Consumer<Durable> onDurable,
      Consumer<String> onFailure)
      throws LocalStoreException {
    byte[] storeKey = new byte[32];
    random.nextBytes(storeKey);
    LocalStore store = LocalStore.create(dir, storeKey, IdentityKeyPair.generate(random));
    java.util.Arrays.fill(storeKey, (byte) 0);
    return new ClientInbox(store, name, onDurable, onFailure);
  }

  /** Queues one read burst of pushed envelopes (any thread). */
  void enqueue(List<Envelope> burst) {
    inbound.addAll(burst);
    if (drainScheduled.compareAndSet(false, true)) {
      worker.execute(this::drain);
    }
  }

  private void drain() {
    drainScheduled.set(false);
    List<Envelope> taken = new ArrayList<>();
    inbound.drainTo(taken, MAX_DRAIN);
    for (int i = 0; i < taken.size(); i += MAX_BATCH) {
      commit(taken.subList(i, Math.min(taken.size(), i + MAX_BATCH)));
    }
    if (!inbound.isEmpty() && drainScheduled.compareAndSet(false, true)) {
      worker.execute(this::drain);
    }
  }

  private void commit(List<Envelope> batch) {
    List<com.google.protobuf.ByteString> ids = new ArrayList<>(batch.size());
    int written = 0;
    long nowMillis = System.currentTimeMillis();
    try (Transaction tx = store.begin()) {
      for (Envelope env : batch) {
        byte[] id = env.getMessageId().toByteArray();
        ids.add(env.getMessageId());
        if (tx.historyByMessageId(id).isPresent()) {
          continue;
        }
        String peer = env.getSender().getUser();
        tx.appendHistory(
            peer, id, Direction.INCOMING, peer, nowMillis, env.getCiphertext().toByteArray());
        written++;
      }
      tx.commit();
    } catch (LocalStoreException | RuntimeException e) {
      onFailure.accept("client store commit failed: " + e.getClass().getSimpleName());
      return;
    }
    onDurable.accept(new Durable(ids, written, System.nanoTime()));
  }

  /**
   * Whether a thread of this JVM named {@code threadName} works for a client store: the workers,
   * and the journaled stores' writer, checkpointer and ack threads (no server runs in the load
   * generator, so every {@code sotto-store-} thread there is a client's).
   */
  static boolean isStoreThread(String threadName) {
    return threadName.startsWith("w3-client-worker-") || threadName.startsWith("sotto-store-");
  }

  /** The client's store, for reading what was written. */
  LocalStore store() {
    return store;
  }

  /** Finishes queued work, then closes the store. */
  @Override
  public void close() throws InterruptedException {
    worker.shutdown();
    worker.awaitTermination(60, TimeUnit.SECONDS);
    store.close();
  }
}
