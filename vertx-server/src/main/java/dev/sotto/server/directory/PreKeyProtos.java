package dev.sotto.server.directory;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.sotto.wire.proto.Address;
import dev.sotto.wire.proto.PreKeyBundleResponse;
import dev.sotto.wire.proto.PreKeyCount;
import dev.sotto.wire.proto.PreKeysLow;
import dev.sotto.wire.proto.UploadPreKeys;
import java.util.List;

/** Conversions between the directory's records and the wire schema (and its storage form). */
public final class PreKeyProtos {
  private PreKeyProtos() {}

  /** The domain form of a client's upload; sizes are checked by {@link PreKeyDirectory}. */
  public static PreKeyUpload fromProto(UploadPreKeys p) {
    return new PreKeyUpload(
        p.getDeviceId(),
        p.getIdentitySigningKey().isEmpty() ? null : p.getIdentitySigningKey().toByteArray(),
        p.hasIdentityAgreementKey() ? signed(p.getIdentityAgreementKey()) : null,
        p.hasSignedPreKey() ? signed(p.getSignedPreKey()) : null,
        p.hasLastResortKemPreKey() ? signed(p.getLastResortKemPreKey()) : null,
        p.getOneTimePreKeysList().stream()
            .map(k -> new OneTimePreKey(k.getId(), k.getPublicKey().toByteArray()))
            .toList(),
        p.getOneTimeKemPreKeysList().stream().map(PreKeyProtos::signed).toList(),
        p.getReplace());
  }

  /** The wire form of a fetched bundle. */
  public static PreKeyBundleResponse toProto(PreKeyBundle b) {
    PreKeyBundleResponse.Builder r =
        PreKeyBundleResponse.newBuilder()
            .setAddress(Address.newBuilder().setUser(b.user()).setDeviceId(b.deviceId()))
            .setIdentitySigningKey(ByteString.copyFrom(b.identitySigningKey()))
            .setIdentityAgreementKey(signed(b.identityAgreementKey()))
            .setSignedPreKey(signed(b.signedPreKey()))
            .setKemPreKey(signed(b.kemPreKey()))
            .setKemPreKeyIsLastResort(b.kemPreKeyIsLastResort());
    b.oneTimePreKey().ifPresent(k -> r.setOneTimePreKey(oneTime(k)));
    return r.build();
  }

  /** The answer to {@code PreKeyCountRequest}. */
  public static PreKeyCount toCount(PreKeyCounts c) {
    return PreKeyCount.newBuilder().setOneTime(c.oneTime()).setOneTimeKem(c.oneTimeKem()).build();
  }

  /** The push that asks an owner to top up. */
  public static PreKeysLow toLow(PreKeyCounts c) {
    return PreKeysLow.newBuilder().setOneTime(c.oneTime()).setOneTimeKem(c.oneTimeKem()).build();
  }

  static SignedPreKey signed(dev.sotto.wire.proto.SignedPreKey k) {
    return new SignedPreKey(
        k.getId(), k.getPublicKey().toByteArray(), k.getSignature().toByteArray());
  }

  static dev.sotto.wire.proto.SignedPreKey signed(SignedPreKey k) {
    return dev.sotto.wire.proto.SignedPreKey.newBuilder()
        .setId(k.id())
        .setPublicKey(ByteString.copyFrom(k.publicKey()))
        .setSignature(ByteString.copyFrom(k.signature()))
        .build();
  }

  static dev.sotto.wire.proto.OneTimePreKey oneTime(OneTimePreKey k) {
    return dev.sotto.wire.proto.OneTimePreKey.newBuilder()
        .setId(k.id())
        .setPublicKey(ByteString.copyFrom(k.publicKey()))
        .build();
  }

  /** Storage form of a device's long-lived keys (an {@code UploadPreKeys} without lists). */
  static byte[] deviceRecord(
      byte[] signingKey, SignedPreKey agreement, SignedPreKey signed, SignedPreKey lastResort) {
    return UploadPreKeys.newBuilder()
        .setIdentitySigningKey(ByteString.copyFrom(signingKey))
        .setIdentityAgreementKey(signed(agreement))
        .setSignedPreKey(signed(signed))
        .setLastResortKemPreKey(signed(lastResort))
        .build()
        .toByteArray();
  }

  static PreKeyUpload parseDeviceRecord(int deviceId, byte[] bytes) {
    try {
      UploadPreKeys p = UploadPreKeys.parseFrom(bytes);
      return new PreKeyUpload(
          deviceId,
          p.getIdentitySigningKey().toByteArray(),
          signed(p.getIdentityAgreementKey()),
          signed(p.getSignedPreKey()),
          signed(p.getLastResortKemPreKey()),
          List.of(),
          List.of(),
          false);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("stored prekey record does not parse", e);
    }
  }

  static byte[] kemRecord(SignedPreKey k) {
    return signed(k).toByteArray();
  }

  static SignedPreKey parseKemRecord(byte[] bytes) {
    try {
      return signed(dev.sotto.wire.proto.SignedPreKey.parseFrom(bytes));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("stored KEM prekey does not parse", e);
    }
  }
}
