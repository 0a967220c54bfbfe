package dev.sotto.client.tui;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Keeps {@code System.out} and {@code System.err} off the screen while the TUI runs: both are
 * swapped for a bounded in-memory buffer (the terminal keeps the stream it was created with), and
 * on {@link #restore()} the originals come back and whatever was captured (the last {@link
 * #MAX_BYTES} bytes) is written to the real stderr, after the terminal is restored. This catches a
 * library or a mis-configured logger printing to the console.
 */
final class OutputGuard {

  static final int MAX_BYTES = 64 * 1024;

  private final PrintStream out;
  private final PrintStream err;
  private final Tail tail = new Tail();

  private OutputGuard(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  static OutputGuard install() {
    OutputGuard g = new OutputGuard(System.out, System.err);
    PrintStream capture = new PrintStream(g.tail, true, StandardCharsets.UTF_8);
    System.setOut(capture);
    System.setErr(capture);
    return g;
  }

  /** Puts the original streams back and reports what was captured on stderr. */
  void restore() {
    System.setOut(out);
    System.setErr(err);
    byte[] captured = tail.bytes();
    if (captured.length > 0) {
      err.println(
          "Output captured while the screen was up" + (tail.dropped ? " (last 64 KiB)" : "") + ":");
      err.write(captured, 0, captured.length);
      err.flush();
    }
  }

  /** Bytes written to the console while the screen was up. */
  String captured() {
    return new String(tail.bytes(), StandardCharsets.UTF_8);
  }

  /** Keeps the last {@link #MAX_BYTES} bytes written. */
  private static final class Tail extends OutputStream {
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    boolean dropped;

    @Override
    public synchronized void write(int b) {
      buf.write(b);
      trim();
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      buf.write(b, off, len);
      trim();
    }

    private void trim() {
      if (buf.size() > 2 * MAX_BYTES) {
        byte[] all = buf.toByteArray();
        buf.reset();
        buf.write(all, all.length - MAX_BYTES, MAX_BYTES);
        dropped = true;
      }
    }

    synchronized byte[] bytes() {
      byte[] all = buf.toByteArray();
      if (all.length <= MAX_BYTES) {
        return all;
      }
      dropped = true;
      byte[] last = new byte[MAX_BYTES];
      System.arraycopy(all, all.length - MAX_BYTES, last, 0, MAX_BYTES);
      return last;
    }
  }
}
