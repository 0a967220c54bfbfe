package dev.sotto.keystore.store;

import dev.sotto.store.StoreOptions;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * The victim of {@link LocalStoreKillIT}: opens (or creates) the stores of two users, alice and
 * bob, in one process, and exchanges real end-to-end messages between them until killed, following
 * the client's order of durable steps (see {@link Peer}). Prints, flushed per line: {@code ID
 * <user> <identity hex>} after open, {@code READY}, {@code S <sender> <id hex>} once a send is
 * committed (session state, history row, outbox row), {@code R <recipient> <id hex>} once a receive
 * is committed (session state, history row, unread count). Any failure (a message that no longer
 * decrypts after a crash, a store that does not open) prints {@code ERROR ...} and exits with 3.
 *
 * <p>Arguments: base directory, run number (makes message ids unique), random seed.
 */
public final class LocalStoreKillWriter {
  static final byte[] ALICE_KEY = fixedKey(11);
  static final byte[] BOB_KEY = fixedKey(12);

  private LocalStoreKillWriter() {}

  /** Product options (fsync on) with frequent MapDB checkpoints, so kills land inside them. */
  static StoreOptions options() {
    return StoreOptions.builder()
        .checkpointInterval(Duration.ofMillis(150))
        .compactionMinBytes(128 * 1024)
        .compactionRatio(1.5)
        .build();
  }

  private static byte[] fixedKey(int seed) {
    byte[] k = new byte[32];
    new Random(seed).nextBytes(k);
    return k;
  }

  static byte[] messageId(int run, long n) {
    return ByteBuffer.allocate(16).putInt(0x5070770).putInt(run).putLong(n).array();
  }

  static byte[] content(byte[] messageId) {
    return ("message " + HexFormat.of().formatHex(messageId)).getBytes(StandardCharsets.UTF_8);
  }

  public static void main(String[] args) {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.US_ASCII);
    try {
      run(Path.of(args[0]), Integer.parseInt(args[1]), Long.parseLong(args[2]), out);
    } catch (Throwable t) {
      out.println("ERROR " + t);
      t.printStackTrace();
      System.exit(3);
    }
  }

  private static void run(Path base, int run, long seed, PrintStream out) throws Exception {
    SecureRandom secure = new SecureRandom();
    Random random = new Random(seed);
    HexFormat hex = HexFormat.of();
    Peer alice = Peer.openOrCreate(base.resolve("alice"), "alice", ALICE_KEY, options(), secure);
    Peer bob = Peer.openOrCreate(base.resolve("bob"), "bob", BOB_KEY, options(), secure);
    out.println("ID alice " + hex.formatHex(alice.store.identity().publicKey().serialize()));
    out.println("ID bob " + hex.formatHex(bob.store.identity().publicKey().serialize()));
    if (!alice.hasSessionWith(bob)) {
      alice.startSession(bob);
    }
    // what a crash left in the outboxes is delivered again, byte for byte
    report(out, "bob", alice.deliver(bob, System.currentTimeMillis()));
    report(out, "alice", bob.deliver(alice, System.currentTimeMillis()));
    out.println("READY");
    for (long n = 0; ; n++) {
      boolean fromBob = bob.hasSessionWith(alice) && random.nextBoolean();
      Peer sender = fromBob ? bob : alice;
      Peer recipient = fromBob ? alice : bob;
      byte[] id = messageId(run, n);
      sender.send(recipient, id, content(id), System.currentTimeMillis());
      out.println("S " + sender.name + " " + hex.formatHex(id));
      if (random.nextInt(3) != 0) {
        report(out, recipient.name, sender.deliver(recipient, System.currentTimeMillis()));
      }
    }
  }

  private static void report(PrintStream out, String recipient, List<byte[]> ids) {
    for (byte[] id : ids) {
      out.println("R " + recipient + " " + HexFormat.of().formatHex(id));
    }
  }
}
