package dev.sotto.server.directory;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.sotto.wire.proto.UploadPreKeys;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PreKeyProtosTest {
  private static dev.sotto.wire.proto.SignedPreKey signed(int id, int n) {
    return dev.sotto.wire.proto.SignedPreKey.newBuilder()
        .setId(id)
        .setPublicKey(ByteString.copyFrom(new byte[n]))
        .setSignature(ByteString.copyFrom(new byte[64]))
        .build();
  }

  @Test
  void fromProto_topUpWithoutIdentity_leavesThemAbsent() {
    UploadPreKeys p =
        UploadPreKeys.newBuilder()
            .setDeviceId(1)
            .addOneTimePreKeys(
                dev.sotto.wire.proto.OneTimePreKey.newBuilder()
                    .setId(7)
                    .setPublicKey(ByteString.copyFrom(new byte[32])))
            .addOneTimeKemPreKeys(signed(8, 1184))
            .build();
    PreKeyUpload u = PreKeyProtos.fromProto(p);
    assertThat(u.identitySigningKey()).isNull();
    assertThat(u.signedPreKey()).isNull();
    assertThat(u.isComplete()).isFalse();
    assertThat(u.oneTimePreKeys()).extracting(OneTimePreKey::id).containsExactly(7);
    assertThat(u.oneTimeKemPreKeys()).extracting(SignedPreKey::id).containsExactly(8);
  }

  @Test
  void toProto_bundle_carriesEveryField() {
    PreKeyBundle b =
        new PreKeyBundle(
            "bob",
            1,
            new byte[32],
            PreKeyProtos.signed(signed(1, 32)),
            PreKeyProtos.signed(signed(2, 32)),
            Optional.of(new OneTimePreKey(3, new byte[32])),
            PreKeyProtos.signed(signed(4, 1184)),
            false);
    var p = PreKeyProtos.toProto(b);
    assertThat(p.getAddress().getUser()).isEqualTo("bob");
    assertThat(p.getSignedPreKey().getId()).isEqualTo(2);
    assertThat(p.getOneTimePreKey().getId()).isEqualTo(3);
    assertThat(p.getKemPreKey().getPublicKey().size()).isEqualTo(1184);
    assertThat(p.getKemPreKeyIsLastResort()).isFalse();
    PreKeyBundle none =
        new PreKeyBundle(
            "bob",
            1,
            new byte[32],
            b.identityAgreementKey(),
            b.signedPreKey(),
            Optional.empty(),
            b.kemPreKey(),
            true);
    assertThat(PreKeyProtos.toProto(none).hasOneTimePreKey()).isFalse();
    assertThat(PreKeyProtos.toLow(new PreKeyCounts(3, 4)).getOneTimeKem()).isEqualTo(4);
    assertThat(PreKeyProtos.toCount(new PreKeyCounts(3, 4)).getOneTime()).isEqualTo(3);
    assertThat(List.of(b.signedPreKey())).containsExactly(PreKeyProtos.signed(signed(2, 32)));
  }
}
