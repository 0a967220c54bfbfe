package dev.sotto.keystore.account;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;
import javax.security.auth.Destroyable;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * The two keys an account's password yields: the {@linkplain #authKey() auth key} that logs in to
 * the server, and the {@linkplain #storeKey() store key} that opens the local encrypted store.
 *
 * <p>Construction (DESIGN.md "Accounts"; all byte strings concatenated without separators or length
 * prefixes, which is unambiguous because the server id has a fixed length):
 *
 * <pre>
 * salt      = SHA-256("Sotto_Account_v1" (ASCII) || server_id (16 bytes) || UTF-8(username))
 * master    = Argon2id(password = UTF-8(password chars), salt, m, t, p, version 0x13,
 *                      no secret, no associated data, 32-byte output)
 * auth_key  = HKDF-SHA256(IKM = master, salt = none, info = "Sotto_Auth_v1",  L = 32)
 * store_key = HKDF-SHA256(IKM = master, salt = none, info = "Sotto_Store_v1", L = 32)
 * </pre>
 *
 * <p>"salt = none" is RFC 5869's absent salt, i.e. 32 zero bytes as the HMAC key of HKDF-Extract
 * (the same as an empty salt, since HMAC pads its key with zeros). The master key already carries
 * the per-account salt. The username must be given in its normalized (case-folded) form, as the
 * server stores it; the password's characters are encoded as UTF-8 without Unicode normalization.
 *
 * <p>Security notes: the password never leaves the client; the server stores only a salted hash of
 * the auth key, so a stolen server database still costs one Argon2id per password guess. The store
 * key is never sent anywhere. {@link #toString()} never prints key bytes, the accessors return
 * copies, and {@link #destroy()} zeroes the keys held here; the intermediate master key and the
 * encoded password are zeroed before {@link #derive} returns.
 */
public final class AccountKeys implements Destroyable {

  /** Length in bytes of each key. */
  public static final int KEY_LENGTH = 32;

  /** Length in bytes of a server id (Welcome.server_id). */
  public static final int SERVER_ID_LENGTH = 16;

  /**
   * Fewest characters (Unicode code points) a password may have. Equal to the wire module's {@code
   * WireLimits.MIN_PASSWORD_LENGTH}; keystore does not depend on wire, and a client test checks
   * that the two agree.
   */
  public static final int MIN_PASSWORD_LENGTH = 10;

  private static final byte[] SALT_LABEL = ascii("Sotto_Account_v1");
  private static final byte[] AUTH_INFO = ascii("Sotto_Auth_v1");
  private static final byte[] STORE_INFO = ascii("Sotto_Store_v1");

  private final String username;
  private final KdfParameters parameters;
  private final byte[] authKey;
  private final byte[] storeKey;
  private volatile boolean destroyed;

  private AccountKeys(String username, KdfParameters parameters, byte[] authKey, byte[] storeKey) {
    this.username = username;
    this.parameters = parameters;
    this.authKey = authKey;
    this.storeKey = storeKey;
  }

  /**
   * Derives the keys of {@code username} on the server {@code serverId} from {@code password}.
   * Takes about 0.3 s at the default cost; call it off any UI or event-loop thread. The caller
   * keeps ownership of {@code password} and should zero it afterwards.
   *
   * @param password the password; at least {@link #MIN_PASSWORD_LENGTH} code points
   * @param serverId the server's 16-byte id from its Welcome
   * @param username the normalized username
   * @param parameters the Argon2id cost
   * @throws IllegalArgumentException if the password is too short, the server id is not 16 bytes or
   *     the username is empty (callers check user input first and report it their own way)
   */
  public static AccountKeys derive(
      char[] password, byte[] serverId, String username, KdfParameters parameters) {
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(serverId, "serverId");
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(parameters, "parameters");
    int codePoints = Character.codePointCount(password, 0, password.length);
    if (codePoints < MIN_PASSWORD_LENGTH) {
      throw new IllegalArgumentException(
          "expected a password of at least "
              + MIN_PASSWORD_LENGTH
              + " characters, got "
              + codePoints);
    }
    if (serverId.length != SERVER_ID_LENGTH) {
      throw new IllegalArgumentException(
          "expected a " + SERVER_ID_LENGTH + "-byte server id, got " + serverId.length);
    }
    if (username.isEmpty()) {
      throw new IllegalArgumentException("expected a non-empty username");
    }
    byte[] salt = salt(serverId, username);
    byte[] passwordBytes = utf8(password);
    byte[] master = new byte[KEY_LENGTH];
    try {
      argon2id(passwordBytes, salt, null, null, parameters, master);
      return new AccountKeys(
          username,
          parameters,
          hkdfSha256(master, AUTH_INFO, KEY_LENGTH),
          hkdfSha256(master, STORE_INFO, KEY_LENGTH));
    } finally {
      Arrays.fill(passwordBytes, (byte) 0);
      Arrays.fill(master, (byte) 0);
    }
  }

  /** {@code SHA-256("Sotto_Account_v1" || serverId || UTF-8(username))}. */
  static byte[] salt(byte[] serverId, String username) {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
    sha256.update(SALT_LABEL);
    sha256.update(serverId);
    sha256.update(username.getBytes(StandardCharsets.UTF_8));
    return sha256.digest();
  }

  /**
   * Argon2id, version 0x13, through Bouncy Castle. {@code secret} and {@code associatedData} are
   * null in Sotto's derivation; they exist so that a test can run RFC 9106's Argon2id vector (which
   * uses both) through exactly this code.
   */
  static void argon2id(
      byte[] password,
      byte[] salt,
      byte[] secret,
      byte[] associatedData,
      KdfParameters parameters,
      byte[] out) {
    // The no-argument Builder() is Argon2i: the type must be named.
    Argon2Parameters.Builder builder =
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withSalt(salt)
            .withMemoryAsKB(parameters.memoryKib())
            .withIterations(parameters.iterations())
            .withParallelism(parameters.parallelism());
    if (secret != null) {
      builder.withSecret(secret);
    }
    if (associatedData != null) {
      builder.withAdditional(associatedData);
    }
    Argon2Parameters argon2Parameters = builder.build();
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(argon2Parameters);
    generator.generateBytes(password, out);
    argon2Parameters.clear();
  }

  /** HKDF-SHA256 with no salt (RFC 5869: HashLen zero bytes). */
  static byte[] hkdfSha256(byte[] ikm, byte[] info, int length) {
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
    hkdf.init(new HKDFParameters(ikm, null, info));
    byte[] out = new byte[length];
    hkdf.generateBytes(out, 0, length);
    return out;
  }

  /** The key that logs in to the server (sent in Register, Login and ChangePassword). */
  public byte[] authKey() {
    checkNotDestroyed();
    return authKey.clone();
  }

  /** The key that opens the local store; never sent anywhere. */
  public byte[] storeKey() {
    checkNotDestroyed();
    return storeKey.clone();
  }

  /** The normalized username these keys belong to. */
  public String username() {
    return username;
  }

  /** The Argon2id cost these keys were derived with. */
  public KdfParameters parameters() {
    return parameters;
  }

  /** Zeroes both keys; later calls to {@link #authKey()} or {@link #storeKey()} throw. */
  @Override
  public void destroy() {
    destroyed = true;
    Arrays.fill(authKey, (byte) 0);
    Arrays.fill(storeKey, (byte) 0);
  }

  @Override
  public boolean isDestroyed() {
    return destroyed;
  }

  /** Names the user and the cost, never a key byte. */
  @Override
  public String toString() {
    return "AccountKeys[user="
        + username
        + ", "
        + parameters
        + (destroyed ? ", destroyed]" : ", keys=<redacted>]");
  }

  private void checkNotDestroyed() {
    if (destroyed) {
      throw new IllegalStateException("account keys have been destroyed");
    }
  }

  private static byte[] utf8(char[] chars) {
    ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(chars));
    byte[] bytes = new byte[encoded.remaining()];
    encoded.get(bytes);
    if (encoded.hasArray()) {
      Arrays.fill(encoded.array(), (byte) 0);
    }
    return bytes;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
