package dev.sotto.client.core.messaging;

import static dev.sotto.client.core.messaging.Context.now;
import static dev.sotto.client.core.messaging.Conversions.*;

import com.google.protobuf.ByteString;
import dev.sotto.client.core.ServerException;
import dev.sotto.client.core.Session;
import dev.sotto.keystore.KeyRenewal;
import dev.sotto.keystore.identity.IdentityKey;
import dev.sotto.keystore.identity.IdentityKeyPair;
import dev.sotto.keystore.prekey.KemPreKeyRecord;
import dev.sotto.keystore.prekey.PreKeyRecord;
import dev.sotto.keystore.prekey.PreKeySet;
import dev.sotto.keystore.prekey.SignedPreKeyRecord;
import dev.sotto.keystore.store.LocalStoreException;
import dev.sotto.keystore.store.Transaction;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.OneTimePreKey;
import dev.sotto.wire.proto.PreKeyCount;
import dev.sotto.wire.proto.PreKeyCountRequest;
import dev.sotto.wire.proto.SignedPreKey;
import dev.sotto.wire.proto.UploadPreKeys;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this account's prekeys on the server: counts them after each login and on {@code
 * PreKeysLow}, tops up one-time prekeys, rotates the signed prekey, and uploads a new identity
 * (recording which one was uploaded beside the store).
 */
final class PreKeyMaintenance {
  private static final Logger logger = LoggerFactory.getLogger(PreKeyMaintenance.class);

  /** The server asks for a top-up below this many one-time prekeys (DESIGN.md). */
  static final int PREKEY_LOW_WATER = 20;

  private final Context ctx;

  PreKeyMaintenance(Context ctx) {
    this.ctx = ctx;
  }

  void checkPreKeys(Session s)
      throws ServerException, IOException, InterruptedException, LocalStoreException {
    Frame f =
        s.connection()
            .call(
                Frame.newBuilder().setPreKeyCountRequest(PreKeyCountRequest.getDefaultInstance()),
                Frame.BodyCase.PRE_KEY_COUNT);
    PreKeyCount count = f.getPreKeyCount();
    SignedPreKeyRecord newest = newestSignedPreKey();
    boolean stale =
        newest == null
            || now() - newest.createdAtMillis() > KeyRenewal.SIGNED_PREKEY_ROTATION.toMillis();
    if (count.getOneTime() < PREKEY_LOW_WATER
        || count.getOneTimeKem() < PREKEY_LOW_WATER
        || stale) {
      topUp(
          s,
          stale,
          count.getOneTime() == 0 && count.getOneTimeKem() == 0,
          Math.max(count.getOneTime(), count.getOneTimeKem()));
    }
  }

  /**
   * Makes one-time prekeys up to {@link MessengerConfig#preKeyCount()} (the server holds {@code
   * have} of the larger kind), optionally a new signed prekey, commits them, then uploads.
   */
  void topUp(Session s, boolean rotate, boolean replace, int have)
      throws ServerException, IOException, InterruptedException, LocalStoreException {
    long now = now();
    int n = replace ? ctx.config.preKeyCount() : Math.max(1, ctx.config.preKeyCount() - have);
    KeyRenewal.OneTimePreKeys fresh;
    try (Transaction tx = ctx.store.begin()) {
      if (rotate) {
        KeyRenewal.rotateSignedPreKey(tx.keyStores(), now, ctx.random);
      }
      fresh = KeyRenewal.topUpOneTimePreKeys(tx.keyStores(), n, now, ctx.random);
      tx.commit();
    }
    upload(s, fresh.preKeys(), fresh.kemPreKeys(), replace);
    logger.info("uploaded {} new one-time prekeys", fresh.preKeys().size());
  }

  /**
   * The file beside the store that records which identity was last uploaded (a SHA-256 of its
   * public keys: public data). Missing or different at login: the upload is redone.
   */
  Path uploadMarker() {
    return Messenger.storeDir(ctx.config, ctx.username).resolveSibling("uploaded-identity");
  }

  String identityDigest() throws LocalStoreException {
    try {
      byte[] h =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(ctx.store.identity().publicKey().keyBytes());
      return java.util.HexFormat.of().formatHex(h);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  boolean identityUploaded() throws LocalStoreException {
    try {
      return java.nio.file.Files.readString(uploadMarker()).strip().equals(identityDigest());
    } catch (IOException e) {
      return false;
    }
  }

  void markIdentityUploaded() throws LocalStoreException {
    try {
      java.nio.file.Files.writeString(uploadMarker(), identityDigest() + "\n");
    } catch (IOException e) {
      logger.warn("could not record the uploaded identity: {}", e.getMessage());
    }
  }

  void uploadFull(Session s, PreKeySet set, boolean replace)
      throws ServerException, IOException, InterruptedException, LocalStoreException {
    upload(s, set.oneTimePreKeys(), set.oneTimeKemPreKeys(), replace);
    if (replace) {
      markIdentityUploaded();
    }
  }

  void upload(Session s, List<PreKeyRecord> opks, List<KemPreKeyRecord> kems, boolean replace)
      throws ServerException, IOException, InterruptedException, LocalStoreException {
    IdentityKeyPair identity = ctx.store.identity();
    IdentityKey pub = identity.publicKey();
    byte[] enc = pub.serialize();
    SignedPreKeyRecord spk = newestSignedPreKey();
    KemPreKeyRecord lastResort = null;
    try (Transaction tx = ctx.store.begin()) {
      for (KemPreKeyRecord k : tx.keyStores().kemPreKeys().loadKemPreKeys()) {
        if (k.lastResort()
            && (lastResort == null || k.createdAtMillis() > lastResort.createdAtMillis())) {
          lastResort = k;
        }
      }
    }
    if (spk == null || lastResort == null) {
      throw new IllegalStateException("the local store has no signed or last-resort prekey");
    }
    UploadPreKeys.Builder b =
        UploadPreKeys.newBuilder()
            .setDeviceId(ctx.deviceId)
            .setIdentitySigningKey(ByteString.copyFrom(pub.signingKey()))
            .setIdentityAgreementKey(
                SignedPreKey.newBuilder()
                    .setPublicKey(ByteString.copyFrom(pub.agreementKey()))
                    .setSignature(ByteString.copyFrom(Arrays.copyOfRange(enc, 64, 128))))
            .setSignedPreKey(
                SignedPreKey.newBuilder()
                    .setId(spk.id())
                    .setPublicKey(ByteString.copyFrom(spk.keyPair().publicKey()))
                    .setSignature(ByteString.copyFrom(spk.signature())))
            .setLastResortKemPreKey(
                SignedPreKey.newBuilder()
                    .setId(lastResort.id())
                    .setPublicKey(ByteString.copyFrom(lastResort.keyPair().publicKey()))
                    .setSignature(ByteString.copyFrom(lastResort.signature())))
            .setReplace(replace);
    for (PreKeyRecord r : opks) {
      b.addOneTimePreKeys(
          OneTimePreKey.newBuilder()
              .setId(r.id())
              .setPublicKey(ByteString.copyFrom(r.keyPair().publicKey())));
    }
    for (KemPreKeyRecord r : kems) {
      b.addOneTimeKemPreKeys(
          SignedPreKey.newBuilder()
              .setId(r.id())
              .setPublicKey(ByteString.copyFrom(r.keyPair().publicKey()))
              .setSignature(ByteString.copyFrom(r.signature())));
    }
    s.connection().call(Frame.newBuilder().setUploadPreKeys(b), Frame.BodyCase.OK);
  }

  SignedPreKeyRecord newestSignedPreKey() {
    SignedPreKeyRecord newest = null;
    try (Transaction tx = ctx.store.begin()) {
      for (SignedPreKeyRecord r : tx.keyStores().signedPreKeys().loadSignedPreKeys()) {
        if (newest == null || r.createdAtMillis() > newest.createdAtMillis()) {
          newest = r;
        }
      }
    }
    return newest;
  }
}
