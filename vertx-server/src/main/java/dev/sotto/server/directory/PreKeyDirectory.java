package dev.sotto.server.directory;

import dev.sotto.server.request.RequestException;
import dev.sotto.store.Store;
import dev.sotto.wire.Usernames;
import dev.sotto.wire.WireException;
import dev.sotto.wire.proto.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The prekey directory over the {@link Store}.
 *
 * <p>Every read-decide-write runs as one {@link Store#update} on the store's writer thread, so two
 * concurrent fetches never receive the same one-time prekey, and a prekey is handed out only once
 * its deletion is durable (the future completes after the group commit). Futures complete on the
 * store's completion thread; continuations must be quick.
 *
 * <p>Store layout (D = u8 length || username || u32 device id):
 *
 * <ul>
 *   <li>{@code prekeys.device}: D -> identity keys, signed prekey, last-resort ML-KEM prekey
 *   <li>{@code prekeys.onetime}: D || u32 key id -> X25519 public key
 *   <li>{@code prekeys.kem}: D || u32 key id -> signed ML-KEM-768 public key
 *   <li>{@code prekeys.count}: D -> u32 one-time count, u32 one-time KEM count
 * </ul>
 *
 * <p>The server checks sizes only; signatures are verified by the clients that fetch the keys.
 */
public final class PreKeyDirectory {
  private static final Logger logger = LoggerFactory.getLogger(PreKeyDirectory.class);

  static final String DEVICES = "prekeys.device";
  static final String ONE_TIME = "prekeys.onetime";
  static final String KEM = "prekeys.kem";
  static final String COUNTS = "prekeys.count";

  /** Size of an X25519 or Ed25519 public key. */
  public static final int CURVE_KEY_BYTES = 32;

  /** Size of an ML-KEM-768 encapsulation key. */
  public static final int KEM_KEY_BYTES = 1184;

  /** Size of an Ed25519 signature. */
  public static final int SIGNATURE_BYTES = 64;

  /**
   * Directory settings.
   *
   * @param maxOneTimeKeys one-time prekeys of each kind one device may have stored
   * @param lowThreshold below this many of either kind the owner is told to top up
   * @param requesterBurst fetches one requester may make at once
   * @param requesterPerSecond and then per second
   * @param targetBurst fetches of one target device at once, by anyone
   * @param targetPerSecond and then per second
   * @param maxTrackedKeys bound on the rate limiters' maps
   */
  public record Limits(
      int maxOneTimeKeys,
      int lowThreshold,
      int requesterBurst,
      double requesterPerSecond,
      int targetBurst,
      double targetPerSecond,
      int maxTrackedKeys) {

    /**
     * 200 keys of each kind, top-up below 20; 30 fetches then 0.5/s per requester, 1/s per target.
     */
    public static Limits defaults() {
      return new Limits(200, 20, 30, 0.5, 30, 1.0, 100_000);
    }
  }

  private final Store store;
  private final Limits limits;
  private final TokenBuckets perRequester;
  private final TokenBuckets perTarget;

  public PreKeyDirectory(Store store, Limits limits) {
    this(store, limits, System::nanoTime);
  }

  PreKeyDirectory(Store store, Limits limits, LongSupplier nanoTime) {
    this.store = Objects.requireNonNull(store, "store");
    this.limits = Objects.requireNonNull(limits, "limits");
    this.perRequester =
        new TokenBuckets(
            limits.requesterBurst(),
            limits.requesterPerSecond(),
            limits.maxTrackedKeys(),
            nanoTime);
    this.perTarget =
        new TokenBuckets(
            limits.targetBurst(), limits.targetPerSecond(), limits.maxTrackedKeys(), nanoTime);
  }

  /**
   * Stores {@code owner}'s upload: a first bundle, a top-up, a rotation, or (with {@code replace})
   * an identity reset that drops every old key of the device. The caller must set {@code
   * upload.deviceId()} to the device the connection logged in as (so one account cannot fill the
   * directory under many device ids).
   *
   * @return the counts now stored; fails with {@link WireException} {@code INVALID_PRE_KEYS} when a
   *     key has the wrong size, an id repeats, the cap would be exceeded, a first upload is
   *     incomplete, or a top-up names a different identity
   */
  public CompletableFuture<PreKeyCounts> upload(String owner, PreKeyUpload upload) {
    try {
      validate(upload);
    } catch (WireException e) {
      return CompletableFuture.failedFuture(e);
    }
    byte[] d = deviceKey(owner, upload.deviceId());
    return store
        .update(txn -> applyUpload(txn, d, upload))
        .thenCompose(
            r -> {
              if (r instanceof WireException e) {
                return CompletableFuture.failedFuture(e);
              }
              PreKeyCounts c = (PreKeyCounts) r;
              logger.debug(
                  "Prekeys of {}.{} now {} one-time, {} KEM",
                  owner,
                  upload.deviceId(),
                  c.oneTime(),
                  c.oneTimeKem());
              return CompletableFuture.completedFuture(c);
            });
  }

  private Object applyUpload(Store.Txn txn, byte[] d, PreKeyUpload up) {
    Optional<byte[]> current = up.replace() ? Optional.empty() : txn.get(DEVICES, d);
    PreKeyCounts counts;
    if (up.replace()) {
      for (Store.Entry e : txn.scan(ONE_TIME, d, Integer.MAX_VALUE)) {
        txn.delete(ONE_TIME, e.key());
      }
      for (Store.Entry e : txn.scan(KEM, d, Integer.MAX_VALUE)) {
        txn.delete(KEM, e.key());
      }
      counts = new PreKeyCounts(0, 0);
    } else {
      counts = counts(txn, d);
    }
    PreKeyUpload merged;
    if (current.isEmpty()) {
      if (!up.isComplete()) {
        return invalid(
            "The first upload (or a replace) needs the identity keys, the signed prekey and the"
                + " last-resort KEM prekey.");
      }
      merged = up;
    } else {
      PreKeyUpload stored = PreKeyProtos.parseDeviceRecord(up.deviceId(), current.get());
      if ((up.identitySigningKey() != null
              && !Arrays.equals(up.identitySigningKey(), stored.identitySigningKey()))
          || (up.identityAgreementKey() != null
              && !up.identityAgreementKey().equals(stored.identityAgreementKey()))) {
        return invalid("The identity keys differ from the stored ones; upload with replace.");
      }
      merged =
          new PreKeyUpload(
              up.deviceId(),
              stored.identitySigningKey(),
              stored.identityAgreementKey(),
              up.signedPreKey() != null ? up.signedPreKey() : stored.signedPreKey(),
              up.lastResortKemPreKey() != null
                  ? up.lastResortKemPreKey()
                  : stored.lastResortKemPreKey(),
              List.of(),
              List.of(),
              false);
    }
    int oneTime = counts.oneTime() + up.oneTimePreKeys().size();
    int kem = counts.oneTimeKem() + up.oneTimeKemPreKeys().size();
    if (oneTime > limits.maxOneTimeKeys() || kem > limits.maxOneTimeKeys()) {
      return invalid(
          "At most "
              + limits.maxOneTimeKeys()
              + " one-time prekeys of each kind can be stored; "
              + counts.oneTime()
              + " and "
              + counts.oneTimeKem()
              + " are already there.");
    }
    for (OneTimePreKey k : up.oneTimePreKeys()) {
      byte[] key = keyKey(d, k.id());
      if (!up.replace() && txn.get(ONE_TIME, key).isPresent()) {
        return invalid("One-time prekey id " + Integer.toUnsignedString(k.id()) + " is in use.");
      }
      txn.put(ONE_TIME, key, k.publicKey());
    }
    for (SignedPreKey k : up.oneTimeKemPreKeys()) {
      byte[] key = keyKey(d, k.id());
      if (!up.replace() && txn.get(KEM, key).isPresent()) {
        return invalid(
            "One-time KEM prekey id " + Integer.toUnsignedString(k.id()) + " is in use.");
      }
      txn.put(KEM, key, PreKeyProtos.kemRecord(k));
    }
    txn.put(
        DEVICES,
        d,
        PreKeyProtos.deviceRecord(
            merged.identitySigningKey(),
            merged.identityAgreementKey(),
            merged.signedPreKey(),
            merged.lastResortKemPreKey()));
    PreKeyCounts after = new PreKeyCounts(oneTime, kem);
    putCounts(txn, d, after);
    return after;
  }

  /**
   * Hands {@code requester} a bundle of {@code target}'s device: one one-time prekey of each kind,
   * each exactly once, falling back to the last-resort KEM prekey (and no one-time X25519 prekey)
   * when they run out.
   *
   * @return fails with {@link RequestException} {@code RATE_LIMITED} (with the retry time) when the
   *     requester or the target is over its rate, or {@link WireException} {@code NO_PRE_KEYS} when
   *     the device has no bundle
   */
  public CompletableFuture<PreKeyFetch> fetch(String requester, String target, int deviceId) {
    long wait = perTarget.tryTake(target + "." + deviceId);
    if (wait > 0) {
      return CompletableFuture.failedFuture(
          new RequestException(
              ErrorCode.RATE_LIMITED,
              "Too many requests for the keys of " + target + "; try again later.",
              wait));
    }
    wait = perRequester.tryTake(requester);
    if (wait > 0) {
      perTarget.refund(target + "." + deviceId);
      return CompletableFuture.failedFuture(
          new RequestException(
              ErrorCode.RATE_LIMITED, "Too many key requests; try again later.", wait));
    }
    byte[] d = deviceKey(target, deviceId);
    return store
        .update(
            txn -> {
              Optional<byte[]> device = txn.get(DEVICES, d);
              if (device.isEmpty()) {
                return (Object)
                    new WireException(
                        ErrorCode.NO_PRE_KEYS,
                        target + " has no keys on this server for device " + deviceId + ".");
              }
              PreKeyUpload stored = PreKeyProtos.parseDeviceRecord(deviceId, device.get());
              PreKeyCounts before = counts(txn, d);
              Optional<OneTimePreKey> oneTime = Optional.empty();
              List<Store.Entry> ot = txn.scan(ONE_TIME, d, 1);
              if (!ot.isEmpty()) {
                Store.Entry e = ot.get(0);
                oneTime = Optional.of(new OneTimePreKey(keyId(e.key()), e.value()));
                txn.delete(ONE_TIME, e.key());
              }
              SignedPreKey kem = stored.lastResortKemPreKey();
              boolean lastResort = true;
              List<Store.Entry> kems = txn.scan(KEM, d, 1);
              if (!kems.isEmpty()) {
                kem = PreKeyProtos.parseKemRecord(kems.get(0).value());
                lastResort = false;
                txn.delete(KEM, kems.get(0).key());
              }
              PreKeyCounts after =
                  new PreKeyCounts(
                      oneTime.isPresent() ? Math.max(0, before.oneTime() - 1) : 0,
                      lastResort ? 0 : Math.max(0, before.oneTimeKem() - 1));
              if (!after.equals(before)) {
                putCounts(txn, d, after);
              }
              PreKeyBundle bundle =
                  new PreKeyBundle(
                      target,
                      deviceId,
                      stored.identitySigningKey(),
                      stored.identityAgreementKey(),
                      stored.signedPreKey(),
                      oneTime,
                      kem,
                      lastResort);
              return new PreKeyFetch(bundle, after, after.below(limits.lowThreshold()));
            })
        .thenCompose(
            r ->
                r instanceof WireException e
                    ? CompletableFuture.failedFuture(e)
                    : CompletableFuture.completedFuture((PreKeyFetch) r));
  }

  /** How many one-time prekeys of each kind {@code owner}'s device has left (0, 0 when none). */
  public CompletableFuture<PreKeyCounts> count(String owner, int deviceId) {
    byte[] d = deviceKey(owner, deviceId);
    return store.update(txn -> counts(txn, d));
  }

  /** Whether {@code owner}'s device has uploaded a bundle. */
  public CompletableFuture<Boolean> hasBundle(String owner, int deviceId) {
    byte[] d = deviceKey(owner, deviceId);
    return store.update(txn -> txn.get(DEVICES, d).isPresent());
  }

  /** Drops every key of every device of {@code owner} (account deletion). */
  public CompletableFuture<Void> deleteAll(String owner) {
    byte[] u = userKey(owner);
    return store.update(
        txn -> {
          for (String map : List.of(DEVICES, ONE_TIME, KEM, COUNTS)) {
            for (Store.Entry e : txn.scan(map, u, Integer.MAX_VALUE)) {
              txn.delete(map, e.key());
            }
          }
          return null;
        });
  }

  private void validate(PreKeyUpload up) throws WireException {
    if (up.deviceId() < 1) {
      throw new WireException(ErrorCode.INVALID_PRE_KEYS, "The device id must be positive.");
    }
    if (up.replace() && !up.isComplete()) {
      throw new WireException(
          ErrorCode.INVALID_PRE_KEYS,
          "A replace needs the identity keys, the signed prekey and the last-resort KEM prekey.");
    }
    if (up.identitySigningKey() != null) {
      size("identity signing key", up.identitySigningKey().length, CURVE_KEY_BYTES);
    }
    signed("identity agreement key", up.identityAgreementKey(), CURVE_KEY_BYTES);
    signed("signed prekey", up.signedPreKey(), CURVE_KEY_BYTES);
    signed("last-resort KEM prekey", up.lastResortKemPreKey(), KEM_KEY_BYTES);
    if (up.oneTimePreKeys().size() > limits.maxOneTimeKeys()
        || up.oneTimeKemPreKeys().size() > limits.maxOneTimeKeys()) {
      throw new WireException(
          ErrorCode.INVALID_PRE_KEYS,
          "At most " + limits.maxOneTimeKeys() + " one-time prekeys of each kind per upload.");
    }
    Set<Integer> ids = new HashSet<>();
    for (OneTimePreKey k : up.oneTimePreKeys()) {
      size("one-time prekey", k.publicKey().length, CURVE_KEY_BYTES);
      if (!ids.add(k.id())) {
        throw new WireException(
            ErrorCode.INVALID_PRE_KEYS, "One-time prekey id " + k.id() + " appears twice.");
      }
    }
    ids.clear();
    for (SignedPreKey k : up.oneTimeKemPreKeys()) {
      signed("one-time KEM prekey", k, KEM_KEY_BYTES);
      if (!ids.add(k.id())) {
        throw new WireException(
            ErrorCode.INVALID_PRE_KEYS, "One-time KEM prekey id " + k.id() + " appears twice.");
      }
    }
  }

  private static void signed(String what, SignedPreKey k, int keyBytes) throws WireException {
    if (k != null) {
      size(what, k.publicKey().length, keyBytes);
      size(what + " signature", k.signature().length, SIGNATURE_BYTES);
    }
  }

  private static void size(String what, int actual, int expected) throws WireException {
    if (actual != expected) {
      throw new WireException(
          ErrorCode.INVALID_PRE_KEYS,
          "The " + what + " must be " + expected + " bytes, got " + actual + ".");
    }
  }

  private static WireException invalid(String message) {
    return new WireException(ErrorCode.INVALID_PRE_KEYS, message);
  }

  private static PreKeyCounts counts(Store.Txn txn, byte[] d) {
    return txn.get(COUNTS, d)
        .map(b -> ByteBuffer.wrap(b))
        .map(b -> new PreKeyCounts(b.getInt(), b.getInt()))
        .orElse(new PreKeyCounts(0, 0));
  }

  private static void putCounts(Store.Txn txn, byte[] d, PreKeyCounts c) {
    txn.put(COUNTS, d, ByteBuffer.allocate(8).putInt(c.oneTime()).putInt(c.oneTimeKem()).array());
  }

  static byte[] userKey(String user) {
    if (!Usernames.isCanonical(user)) {
      throw new IllegalArgumentException("not a canonical username");
    }
    byte[] name = user.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(1 + name.length).put((byte) name.length).put(name).array();
  }

  static byte[] deviceKey(String user, int deviceId) {
    byte[] u = userKey(user);
    return ByteBuffer.allocate(u.length + 4).put(u).putInt(deviceId).array();
  }

  private static byte[] keyKey(byte[] d, int id) {
    return ByteBuffer.allocate(d.length + 4).put(d).putInt(id).array();
  }

  private static int keyId(byte[] key) {
    return ByteBuffer.wrap(key, key.length - 4, 4).getInt();
  }
}
