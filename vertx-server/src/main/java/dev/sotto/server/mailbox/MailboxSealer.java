package dev.sotto.server.mailbox;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals mailbox entries at rest: AES-256-GCM (JDK) under a per-user key.
 *
 * <p>Layout of a sealed entry: {@code 0x01 (version) || nonce (12 random bytes) || ciphertext ||
 * tag (16)}. Per-user key = HKDF-SHA256(salt = 32 zero bytes, IKM = master key, info =
 * "Sotto_Mailbox_v1" || UTF-8 username, 32 bytes). Associated data = UTF-8 username || entry id
 * bytes, so an entry moved to another user or another position does not open.
 *
 * <p>Security guarantees: a copy of the data directory without the master key reveals neither the
 * envelope nor its sender; altering, swapping or truncating an entry is detected. Random 96-bit
 * nonces stay far below the collision bound (2^32 messages per user key). Not covered: which
 * recipient has how many entries, and their sizes, are visible in the store.
 *
 * <p>Speed: derived user keys are kept in a bounded map (a key is derived once per user, not once
 * per message), and each thread reuses one AES-GCM {@link Cipher} and one index {@link Mac}
 * (looking a provider up costs more than sealing a chat message). A GCM cipher is initialised
 * afresh, with a new random nonce, for every entry.
 */
public final class MailboxSealer {
  static final byte VERSION = 1;
  static final int NONCE_LEN = 12;
  static final int TAG_LEN = 16;
  static final int OVERHEAD = 1 + NONCE_LEN + TAG_LEN;
  private static final byte[] USER_INFO = "Sotto_Mailbox_v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] INDEX_INFO =
      "Sotto_MailboxIndex_v1".getBytes(StandardCharsets.US_ASCII);

  /** User keys kept; past it the map is cleared (keys are cheap to derive again). */
  static final int MAX_CACHED_KEYS = 10_000;

  private static final ThreadLocal<Cipher> GCM =
      ThreadLocal.withInitial(
          () -> {
            try {
              return Cipher.getInstance("AES/GCM/NoPadding");
            } catch (GeneralSecurityException e) {
              throw new IllegalStateException("AES-GCM unavailable", e);
            }
          });

  private final byte[] prk;
  private final byte[] indexKey;
  private final SecureRandom random;
  private final ConcurrentHashMap<String, UserKey> keys = new ConcurrentHashMap<>();
  private final ThreadLocal<Mac> indexMac;

  /**
   * @param masterKey the server's 32-byte mailbox master key (kept apart from the data directory)
   * @throws IllegalArgumentException unless the key is 32 bytes
   */
  public MailboxSealer(byte[] masterKey) {
    this(masterKey, new SecureRandom());
  }

  MailboxSealer(byte[] masterKey, SecureRandom random) {
    Objects.requireNonNull(masterKey, "masterKey");
    if (masterKey.length != 32) {
      throw new IllegalArgumentException(
          "expected a 32-byte master key, got " + masterKey.length + " bytes");
    }
    this.prk = Hkdf.extract(new byte[0], masterKey);
    this.indexKey = Hkdf.expand(prk, INDEX_INFO, 32);
    this.random = random;
    this.indexMac =
        ThreadLocal.withInitial(
            () -> {
              try {
                return Hkdf.hmac(indexKey);
              } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 unavailable", e);
              }
            });
  }

  /** The per-user sealing key (exposed to the package for batch opening and tests). */
  UserKey keyFor(String user) {
    UserKey cached = keys.get(user);
    if (cached != null) {
      return cached;
    }
    if (keys.size() >= MAX_CACHED_KEYS) {
      keys.clear();
    }
    UserKey derived = derive(user);
    keys.put(user, derived);
    return derived;
  }

  private UserKey derive(String user) {
    byte[] name = user.getBytes(StandardCharsets.UTF_8);
    byte[] info = new byte[USER_INFO.length + name.length];
    System.arraycopy(USER_INFO, 0, info, 0, USER_INFO.length);
    System.arraycopy(name, 0, info, USER_INFO.length, name.length);
    return new UserKey(name, new SecretKeySpec(Hkdf.expand(prk, info, 32), "AES"));
  }

  /** Seals {@code plaintext} for {@code user}'s entry {@code entryId}. */
  public byte[] seal(String user, byte[] entryId, byte[] plaintext) {
    return keyFor(user).seal(entryId, plaintext);
  }

  /**
   * Opens what {@link #seal} made for the same user and entry id.
   *
   * @throws CorruptEntryException if the bytes were altered or belong to another user or entry
   */
  public byte[] open(String user, byte[] entryId, byte[] sealed) throws CorruptEntryException {
    return keyFor(user).open(entryId, sealed);
  }

  /**
   * A keyed 16-byte name for (sender, message id), so the idempotency index on disk does not show
   * who sent what.
   */
  byte[] indexKey(String sender, MessageId id) {
    Mac mac = indexMac.get();
    byte[] name = sender.getBytes(StandardCharsets.UTF_8);
    mac.update((byte) name.length);
    mac.update(name);
    mac.update(id.rawBytes());
    return Arrays.copyOf(mac.doFinal(), 16);
  }

  /** A derived per-user key; never printed. */
  final class UserKey {
    private final byte[] user;
    private final SecretKeySpec key;

    private UserKey(byte[] user, SecretKeySpec key) {
      this.user = user;
      this.key = key;
    }

    byte[] seal(byte[] entryId, byte[] plaintext) {
      byte[] nonce = new byte[NONCE_LEN];
      random.nextBytes(nonce);
      try {
        Cipher cipher = GCM.get();
        cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_LEN * 8, nonce));
        cipher.updateAAD(ad(entryId));
        ByteBuffer out = ByteBuffer.allocate(OVERHEAD + plaintext.length);
        out.put(VERSION).put(nonce);
        cipher.doFinal(ByteBuffer.wrap(plaintext), out);
        return out.array();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES-GCM unavailable", e);
      }
    }

    byte[] open(byte[] entryId, byte[] sealed) throws CorruptEntryException {
      if (sealed.length < OVERHEAD || sealed[0] != VERSION) {
        throw new CorruptEntryException(
            "sealed entry malformed (" + sealed.length + " bytes)", null);
      }
      try {
        Cipher cipher = GCM.get();
        cipher.init(
            Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_LEN * 8, sealed, 1, NONCE_LEN));
        cipher.updateAAD(ad(entryId));
        return cipher.doFinal(sealed, 1 + NONCE_LEN, sealed.length - 1 - NONCE_LEN);
      } catch (AEADBadTagException e) {
        throw new CorruptEntryException("sealed entry failed authentication", e);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES-GCM unavailable", e);
      }
    }

    private byte[] ad(byte[] entryId) {
      byte[] ad = new byte[user.length + entryId.length];
      System.arraycopy(user, 0, ad, 0, user.length);
      System.arraycopy(entryId, 0, ad, user.length, entryId.length);
      return ad;
    }

    @Override
    public String toString() {
      return "UserKey[redacted]";
    }
  }
}
