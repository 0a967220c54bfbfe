package dev.sotto.wire;

import com.google.protobuf.ByteString;
import dev.sotto.wire.proto.AckMessages;
import dev.sotto.wire.proto.Address;
import dev.sotto.wire.proto.ChangePassword;
import dev.sotto.wire.proto.Envelope;
import dev.sotto.wire.proto.EnvelopeType;
import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.KdfParams;
import dev.sotto.wire.proto.Login;
import dev.sotto.wire.proto.Register;
import dev.sotto.wire.proto.WatchPresence;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Field checks that server and client share. Each throws {@link WireException} with {@code
 * INVALID_REQUEST} (or {@code MESSAGE_TOO_LARGE}, {@code INVALID_USERNAME}) and a message that says
 * what was expected and what arrived.
 */
public final class Validation {
  /** Smallest Argon2id memory cost accepted, in KiB (8 MiB). */
  public static final int MIN_KDF_MEMORY_KIB = 8 * 1024;

  /** Largest Argon2id memory cost accepted, in KiB (1 GiB). */
  public static final int MAX_KDF_MEMORY_KIB = 1024 * 1024;

  /** Smallest Argon2id iteration count accepted. */
  public static final int MIN_KDF_ITERATIONS = 1;

  /** Largest Argon2id iteration count accepted. */
  public static final int MAX_KDF_ITERATIONS = 10;

  /** Smallest Argon2id parallelism accepted. */
  public static final int MIN_KDF_PARALLELISM = 1;

  /** Largest Argon2id parallelism accepted. */
  public static final int MAX_KDF_PARALLELISM = 4;

  private Validation() {}

  /**
   * Checks an envelope's message id.
   *
   * @throws WireException {@code INVALID_REQUEST} unless it is exactly 16 bytes
   */
  public static void messageId(ByteString id) throws WireException {
    exactLength("A message id", id, WireLimits.MESSAGE_ID_BYTES);
  }

  /**
   * Checks an auth key ({@code Register.auth_key}, {@code Login.auth_key}, both keys of {@code
   * ChangePassword}).
   *
   * @throws WireException {@code INVALID_REQUEST} unless it is exactly 32 bytes
   */
  public static void authKey(ByteString key) throws WireException {
    exactLength("An auth key", key, WireLimits.AUTH_KEY_BYTES);
  }

  /**
   * Checks a server id.
   *
   * @throws WireException {@code INVALID_REQUEST} unless it is exactly 16 bytes
   */
  public static void serverId(ByteString id) throws WireException {
    exactLength("A server id", id, WireLimits.SERVER_ID_BYTES);
  }

  /**
   * Checks a device id: 1 or more (read as unsigned, as on the wire).
   *
   * @throws WireException {@code INVALID_REQUEST} for 0
   */
  public static void deviceId(int deviceId) throws WireException {
    if (deviceId == 0) {
      throw new WireException(ErrorCode.INVALID_REQUEST, "A device id must be 1 or more, got 0.");
    }
  }

  /**
   * Checks an address and returns it with its username in canonical form.
   *
   * @throws WireException {@code INVALID_USERNAME} for a bad user, {@code INVALID_REQUEST} for a
   *     device id of 0
   */
  public static Address address(Address address) throws WireException {
    Objects.requireNonNull(address, "address");
    String user = Usernames.normalize(address.getUser());
    deviceId(address.getDeviceId());
    return user.equals(address.getUser()) ? address : address.toBuilder().setUser(user).build();
  }

  /**
   * Checks an envelope: message id, recipient (and sender when present), type and ciphertext size.
   *
   * @throws WireException {@code MESSAGE_TOO_LARGE} when the ciphertext is over {@link
   *     WireLimits#MAX_MESSAGE_BYTES}; {@code INVALID_USERNAME} or {@code INVALID_REQUEST}
   *     otherwise
   */
  public static void envelope(Envelope envelope) throws WireException {
    Objects.requireNonNull(envelope, "envelope");
    messageId(envelope.getMessageId());
    if (!envelope.hasRecipient()) {
      throw new WireException(ErrorCode.INVALID_REQUEST, "An envelope must name its recipient.");
    }
    address(envelope.getRecipient());
    if (envelope.hasSender()) {
      address(envelope.getSender());
    }
    EnvelopeType type = envelope.getType();
    if (type != EnvelopeType.PRE_KEY_MESSAGE && type != EnvelopeType.MESSAGE) {
      throw new WireException(
          ErrorCode.INVALID_REQUEST,
          "An envelope type must be PRE_KEY_MESSAGE or MESSAGE, got "
              + envelope.getTypeValue()
              + ".");
    }
    ciphertext(envelope.getCiphertext());
  }

  /**
   * Checks the size of one envelope's ciphertext.
   *
   * @throws WireException {@code INVALID_REQUEST} when empty, {@code MESSAGE_TOO_LARGE} when over
   *     {@link WireLimits#MAX_MESSAGE_BYTES}
   */
  public static void ciphertext(ByteString ciphertext) throws WireException {
    Objects.requireNonNull(ciphertext, "ciphertext");
    if (ciphertext.isEmpty()) {
      throw new WireException(ErrorCode.INVALID_REQUEST, "An envelope's ciphertext is empty.");
    }
    if (ciphertext.size() > WireLimits.MAX_MESSAGE_BYTES) {
      throw new WireException(
          ErrorCode.MESSAGE_TOO_LARGE,
          "A message of "
              + ciphertext.size()
              + " encrypted bytes is over the limit of "
              + WireLimits.MAX_MESSAGE_BYTES
              + " bytes.");
    }
  }

  /**
   * Checks Argon2id parameters: memory 8 MiB to 1 GiB (in KiB), iterations 1 to 10, parallelism 1
   * to 4.
   *
   * @throws WireException {@code INVALID_REQUEST} naming the parameter out of bounds
   */
  public static void kdfParams(KdfParams params) throws WireException {
    Objects.requireNonNull(params, "params");
    within("Argon2id memory (KiB)", params.getMemoryKib(), MIN_KDF_MEMORY_KIB, MAX_KDF_MEMORY_KIB);
    within("Argon2id iterations", params.getIterations(), MIN_KDF_ITERATIONS, MAX_KDF_ITERATIONS);
    within(
        "Argon2id parallelism", params.getParallelism(), MIN_KDF_PARALLELISM, MAX_KDF_PARALLELISM);
  }

  /**
   * Checks the client name sent in {@code Hello}.
   *
   * @throws WireException {@code INVALID_REQUEST} when longer than {@link
   *     WireLimits#MAX_CLIENT_NAME} characters
   */
  public static void clientName(String client) throws WireException {
    Objects.requireNonNull(client, "client");
    if (client.length() > WireLimits.MAX_CLIENT_NAME) {
      throw new WireException(
          ErrorCode.INVALID_REQUEST,
          "A client name must be at most "
              + WireLimits.MAX_CLIENT_NAME
              + " characters, got "
              + client.length()
              + ".");
    }
  }

  /**
   * Checks a password's length on the client (the server never sees a password).
   *
   * @throws WireException {@code INVALID_REQUEST} when shorter than {@link
   *     WireLimits#MIN_PASSWORD_LENGTH} characters (counted in code points)
   */
  public static void password(CharSequence password) throws WireException {
    Objects.requireNonNull(password, "password");
    int length = Character.codePointCount(password, 0, password.length());
    if (length < WireLimits.MIN_PASSWORD_LENGTH) {
      throw new WireException(
          ErrorCode.INVALID_REQUEST,
          "A password must be at least "
              + WireLimits.MIN_PASSWORD_LENGTH
              + " characters, got "
              + length
              + ".");
    }
  }

  /**
   * Checks a {@code Register} request: username, KDF parameters and auth key.
   *
   * @return the canonical username
   * @throws WireException {@code INVALID_USERNAME} or {@code INVALID_REQUEST}
   */
  public static String register(Register register) throws WireException {
    Objects.requireNonNull(register, "register");
    String username = Usernames.normalize(register.getUsername());
    if (!register.hasKdfParams()) {
      throw new WireException(ErrorCode.INVALID_REQUEST, "Registration needs KDF parameters.");
    }
    kdfParams(register.getKdfParams());
    authKey(register.getAuthKey());
    return username;
  }

  /**
   * Checks a {@code Login} request: username, auth key and device id.
   *
   * @return the canonical username
   * @throws WireException {@code INVALID_USERNAME} or {@code INVALID_REQUEST}
   */
  public static String login(Login login) throws WireException {
    Objects.requireNonNull(login, "login");
    String username = Usernames.normalize(login.getUsername());
    authKey(login.getAuthKey());
    deviceId(login.getDeviceId());
    return username;
  }

  /**
   * Checks a {@code ChangePassword} request: both auth keys and the new KDF parameters.
   *
   * @throws WireException {@code INVALID_REQUEST}
   */
  public static void changePassword(ChangePassword change) throws WireException {
    Objects.requireNonNull(change, "change");
    authKey(change.getOldAuthKey());
    authKey(change.getNewAuthKey());
    if (!change.hasNewKdfParams()) {
      throw new WireException(ErrorCode.INVALID_REQUEST, "A password change needs KDF parameters.");
    }
    kdfParams(change.getNewKdfParams());
  }

  /**
   * Checks an {@code AckMessages} request: at least one id, each 16 bytes.
   *
   * @throws WireException {@code INVALID_REQUEST}
   */
  public static void ackMessages(AckMessages ack) throws WireException {
    Objects.requireNonNull(ack, "ack");
    if (ack.getMessageIdsCount() == 0) {
      throw new WireException(ErrorCode.INVALID_REQUEST, "An acknowledgement names no message.");
    }
    for (ByteString id : ack.getMessageIdsList()) {
      messageId(id);
    }
  }

  /**
   * Checks a {@code WatchPresence} request: at most {@link WireLimits#MAX_WATCHED_USERS} names,
   * each a valid username.
   *
   * @return the canonical names, without repeats, in the order given
   * @throws WireException {@code INVALID_REQUEST} for too many names (checked first), {@code
   *     INVALID_USERNAME} for a name that breaks the username rule
   */
  public static List<String> watchPresence(WatchPresence watch) throws WireException {
    Objects.requireNonNull(watch, "watch");
    int count = watch.getUsernamesCount();
    if (count > WireLimits.MAX_WATCHED_USERS) {
      throw new WireException(
          ErrorCode.INVALID_REQUEST,
          "At most "
              + WireLimits.MAX_WATCHED_USERS
              + " users can be watched at once, got "
              + count
              + ".");
    }
    Set<String> names = new LinkedHashSet<>();
    for (String raw : watch.getUsernamesList()) {
      names.add(Usernames.normalize(raw));
    }
    return List.copyOf(names);
  }

  private static void exactLength(String what, ByteString value, int expected)
      throws WireException {
    Objects.requireNonNull(value, what);
    if (value.size() != expected) {
      throw new WireException(
          ErrorCode.INVALID_REQUEST,
          what + " must be " + expected + " bytes, got " + value.size() + ".");
    }
  }

  private static void within(String what, int unsignedValue, int min, int max)
      throws WireException {
    long value = Integer.toUnsignedLong(unsignedValue);
    if (value < min || value > max) {
      throw new WireException(
          ErrorCode.INVALID_REQUEST,
          what + " must be between " + min + " and " + max + ", got " + value + ".");
    }
  }
}
