package dev.sotto.keystore.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AccountKeysTest {

  private static final HexFormat HEX = HexFormat.of();

  /** Low cost so the test suite stays fast; the default cost is covered by a vector. */
  private static final KdfParameters CHEAP = new KdfParameters(256, 1, 1);

  private static final byte[] SERVER_A = new byte[16];
  private static final byte[] SERVER_B = HEX.parseHex("0102030405060708090a0b0c0d0e0f10");

  @Test
  void argon2id_rfc9106Vector_matchesThroughProductionGenerator() {
    // RFC 9106 section 5.3 (Argon2id): password 32 x 0x01, salt 16 x 0x02, secret 8 x 0x03,
    // associated data 12 x 0x04, m = 32 KiB, t = 3, p = 4, 32-byte tag. Argon2i or Argon2d on the
    // same inputs give other tags (RFC 9106 5.1 and 5.2), so this pins the type to Argon2id.
    byte[] out = new byte[32];
    AccountKeys.argon2id(
        filled(32, 0x01),
        filled(16, 0x02),
        filled(8, 0x03),
        filled(12, 0x04),
        new KdfParameters(32, 3, 4),
        out);
    assertThat(HEX.formatHex(out))
        .isEqualTo("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");
  }

  @Test
  void argon2id_rfc9106Argon2iTag_isNotProduced() {
    byte[] out = new byte[32];
    AccountKeys.argon2id(
        filled(32, 0x01),
        filled(16, 0x02),
        filled(8, 0x03),
        filled(12, 0x04),
        new KdfParameters(32, 3, 4),
        out);
    // RFC 9106 section 5.2 (Argon2i) tag for the same inputs.
    assertThat(HEX.formatHex(out))
        .isNotEqualTo("c814d9d1dc7f37aa13f0d77f2494bda1c8de6b016dd388d29952a4c4672b6ce8");
  }

  static Stream<Map<String, String>> vectors() throws IOException {
    try (InputStream in =
        AccountKeysTest.class.getResourceAsStream("/vectors/account/account_keys.txt")) {
      assertThat(in).as("vector file on the test class path").isNotNull();
      List<Map<String, String>> blocks = new ArrayList<>();
      Map<String, String> block = new LinkedHashMap<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.isBlank()) {
          if (!block.isEmpty()) {
            blocks.add(block);
            block = new LinkedHashMap<>();
          }
          continue;
        }
        int eq = line.indexOf(" = ");
        block.put(line.substring(0, eq), line.substring(eq + 3));
      }
      if (!block.isEmpty()) {
        blocks.add(block);
      }
      assertThat(blocks).hasSize(4);
      return blocks.stream();
    }
  }

  @ParameterizedTest
  @MethodSource("vectors")
  void derive_independentVectors_match(Map<String, String> v) {
    char[] password = utf8(v.get("password")).toCharArray();
    byte[] serverId = HEX.parseHex(v.get("server_id"));
    String username = utf8(v.get("username"));
    KdfParameters params =
        new KdfParameters(
            Integer.parseInt(v.get("memory_kib")),
            Integer.parseInt(v.get("iterations")),
            Integer.parseInt(v.get("parallelism")));

    assertThat(HEX.formatHex(AccountKeys.salt(serverId, username))).isEqualTo(v.get("salt"));
    AccountKeys keys = AccountKeys.derive(password, serverId, username, params);
    assertThat(HEX.formatHex(keys.authKey())).isEqualTo(v.get("auth_key"));
    assertThat(HEX.formatHex(keys.storeKey())).isEqualTo(v.get("store_key"));
    assertThat(keys.parameters()).isEqualTo(params);
  }

  @Test
  void derive_sameInputs_sameKeys() {
    AccountKeys a = AccountKeys.derive("long enough pw".toCharArray(), SERVER_A, "alice", CHEAP);
    AccountKeys b = AccountKeys.derive("long enough pw".toCharArray(), SERVER_A, "alice", CHEAP);
    assertThat(a.authKey()).isEqualTo(b.authKey()).hasSize(32);
    assertThat(a.storeKey()).isEqualTo(b.storeKey()).hasSize(32);
    assertThat(a.authKey()).isNotEqualTo(a.storeKey());
  }

  @Test
  void derive_otherUsernameServerPasswordOrCost_otherKeys() {
    AccountKeys base = AccountKeys.derive("long enough pw".toCharArray(), SERVER_A, "alice", CHEAP);
    List<AccountKeys> variants =
        List.of(
            AccountKeys.derive("long enough pw".toCharArray(), SERVER_A, "alicf", CHEAP),
            AccountKeys.derive("long enough pw".toCharArray(), SERVER_B, "alice", CHEAP),
            AccountKeys.derive("long enough pX".toCharArray(), SERVER_A, "alice", CHEAP),
            AccountKeys.derive(
                "long enough pw".toCharArray(), SERVER_A, "alice", new KdfParameters(256, 2, 1)));
    for (AccountKeys other : variants) {
      assertThat(other.authKey()).as(other.toString()).isNotEqualTo(base.authKey());
      assertThat(other.storeKey()).as(other.toString()).isNotEqualTo(base.storeKey());
    }
  }

  @Test
  void derive_shortPassword_refused() {
    assertThatThrownBy(
            () -> AccountKeys.derive("123456789".toCharArray(), SERVER_A, "alice", CHEAP))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 10 characters, got 9");
  }

  @Test
  void derive_passwordLength_countsCodePointsNotChars() {
    // Nine emoji are 18 UTF-16 chars but nine characters: still too short.
    String nine = "\uD83D\uDE00".repeat(9);
    assertThatThrownBy(() -> AccountKeys.derive(nine.toCharArray(), SERVER_A, "alice", CHEAP))
        .hasMessageContaining("got 9");
    assertThat(AccountKeys.derive((nine + "x").toCharArray(), SERVER_A, "alice", CHEAP).authKey())
        .hasSize(32);
  }

  @Test
  void derive_serverIdNot16Bytes_refused() {
    assertThatThrownBy(
            () -> AccountKeys.derive("long enough pw".toCharArray(), new byte[15], "alice", CHEAP))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("16-byte server id, got 15");
  }

  @Test
  void derive_leavesCallersPasswordIntact() {
    char[] password = "long enough pw".toCharArray();
    AccountKeys.derive(password, SERVER_A, "alice", CHEAP);
    assertThat(new String(password)).isEqualTo("long enough pw");
  }

  @Test
  void toString_neverPrintsKeyBytes() {
    AccountKeys keys = AccountKeys.derive("long enough pw".toCharArray(), SERVER_A, "alice", CHEAP);
    String text = keys.toString();
    assertThat(text).contains("alice").contains("redacted");
    assertThat(text.toLowerCase())
        .doesNotContain(HEX.formatHex(keys.authKey()).substring(0, 8))
        .doesNotContain(HEX.formatHex(keys.storeKey()).substring(0, 8));
  }

  @Test
  void accessors_returnCopies() {
    AccountKeys keys = AccountKeys.derive("long enough pw".toCharArray(), SERVER_A, "alice", CHEAP);
    byte[] auth = keys.authKey();
    auth[0] ^= 1;
    assertThat(keys.authKey()).isNotEqualTo(auth);
  }

  @Test
  void destroy_zeroesKeysAndBlocksAccess() {
    AccountKeys keys = AccountKeys.derive("long enough pw".toCharArray(), SERVER_A, "alice", CHEAP);
    keys.destroy();
    assertThat(keys.isDestroyed()).isTrue();
    assertThatThrownBy(keys::authKey).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(keys::storeKey).isInstanceOf(IllegalStateException.class);
    assertThat(keys.toString()).contains("destroyed");
  }

  @Test
  void kdfParameters_outOfBounds_refusedWithExpectation() {
    assertThatThrownBy(() -> new KdfParameters(1 << 21, 3, 1))
        .hasMessageContaining("memory")
        .hasMessageContaining("got 2097152");
    assertThatThrownBy(() -> new KdfParameters(65536, 0, 1)).hasMessageContaining("iterations");
    assertThatThrownBy(() -> new KdfParameters(65536, 3, 17)).hasMessageContaining("parallelism");
    assertThatThrownBy(() -> new KdfParameters(15, 1, 2)).hasMessageContaining("[16, ");
  }

  @Test
  void kdfParameters_isAtLeast_comparesMemoryAndIterations() {
    KdfParameters floor = new KdfParameters(19 * 1024, 2, 1);
    assertThat(KdfParameters.DEFAULT.isAtLeast(floor)).isTrue();
    assertThat(new KdfParameters(19 * 1024, 1, 1).isAtLeast(floor)).isFalse();
    assertThat(new KdfParameters(1024, 8, 1).isAtLeast(floor)).isFalse();
  }

  private static byte[] filled(int length, int value) {
    byte[] b = new byte[length];
    java.util.Arrays.fill(b, (byte) value);
    return b;
  }

  private static String utf8(String hex) {
    return new String(HEX.parseHex(hex), StandardCharsets.UTF_8);
  }
}
