package dev.sotto.client.tui;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/** What the views may ask of the running TUI. All methods are for the UI thread. */
interface Ui {

  TuiConfig config();

  /** Now, from the configured clock. */
  Instant now();

  /** Runs {@code task} on the UI thread later (safe from any thread). */
  void post(Runnable task);

  /** Runs {@code then} on the UI thread when the future completes. */
  default <T> void onDone(CompletableFuture<T> future, BiConsumer<T, Throwable> then) {
    future.whenComplete((v, e) -> post(() -> then.accept(v, unwrap(e))));
  }

  /** The login screen succeeded: show the main screen. */
  void showMain();

  /** Logged out: show the login screen. */
  void showLogin();

  /** Leave the TUI and restore the terminal. */
  void quit();

  /** Ring the terminal bell. */
  void bell();

  /** Redraw everything from scratch on the next frame (Ctrl+L). */
  void fullRedraw();

  /** The sentence to show for a failure. */
  static String message(Throwable e) {
    Throwable t = unwrap(e);
    String m = t == null ? null : t.getMessage();
    return m == null || m.isBlank()
        ? "something went wrong (" + (t == null ? "?" : t.getClass().getSimpleName()) + ")"
        : m;
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof java.util.concurrent.CompletionException
            || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
