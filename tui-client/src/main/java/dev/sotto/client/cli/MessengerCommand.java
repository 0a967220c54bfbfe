package dev.sotto.client.cli;

import dev.sotto.client.core.messaging.Messenger;
import dev.sotto.client.core.messaging.MessengerConfig;
import dev.sotto.client.core.messaging.MessengerListener;
import dev.sotto.keystore.store.NoLocalStoreException;
import java.util.Arrays;
import picocli.CommandLine.Option;

/**
 * A command that logs in and works through a {@link Messenger}: finds server and user, settles
 * trust, decides about a new identity when this machine has no local store for the account, reads
 * the password, logs in, runs, logs out. Every failure becomes one line on stderr and an exit code.
 */
abstract class MessengerCommand extends AccountCommand {

  @Option(
      names = "--new-identity",
      description =
          "If this machine has no local store for the account, make a new identity without asking"
              + " (contacts will see a changed safety number). Prefer 'sotto import'.")
  boolean newIdentity;

  /** The server and user of this run, set before {@link #run(Messenger)}. */
  Target target;

  /** The login password while {@link #run(Messenger)} runs, if {@link #keepsPassword()}. */
  char[] loginPassword;

  /** The prompt for the login password. */
  String passwordPrompt() {
    return "Password";
  }

  /** Whether {@link #run(Messenger)} needs the login password ({@code passwd}). */
  boolean keepsPassword() {
    return false;
  }

  /** Whether this command takes messages from the server; only {@code receive} does. */
  boolean receiving() {
    return false;
  }

  /** The listener added before the login (the backlog follows it at once). */
  MessengerListener listener() {
    return MessengerListener.NONE;
  }

  /** The command's work on a started messenger. */
  abstract int run(Messenger messenger) throws Exception;

  /** Runs after the messenger is closed and its store released, when {@link #run} returned OK. */
  void afterClose(Target target) throws Exception {}

  @Override
  final int run() throws Exception {
    Target t = target();
    target = t;
    MessengerConfig config = messengerConfig(t.server()).withReceiving(receiving());
    char[] password = accountPassword(passwordPrompt(), false);
    int code;
    try {
      Messenger m;
      try {
        if (newIdentity && !Messenger.hasLocalStore(config, t.user())) {
          warnNewIdentity(t);
        }
        m =
            Messenger.login(
                config.withAllowNewIdentity(newIdentity), t.user(), password, listener());
      } catch (NoLocalStoreException e) {
        // Asked only once the password proved right (the login succeeded before this check).
        if (!askNewIdentity(t)) {
          throw new Failure(
              ExitCodes.NO_LOCAL_STORE,
              "No local store for "
                  + t.user()
                  + " on this machine; a login would make a new identity (contacts see a changed"
                  + " safety number). Use --new-identity to accept that, or 'sotto import FILE'.");
        }
        m = Messenger.login(config.withAllowNewIdentity(true), t.user(), password, listener());
      }
      if (!keepsPassword()) {
        Arrays.fill(password, '\0');
      }
      loginPassword = password;
      try (Messenger open = m) {
        code = run(open);
      }
    } finally {
      Arrays.fill(password, '\0');
      loginPassword = null;
    }
    if (code == ExitCodes.OK) {
      afterClose(t);
    }
    return code;
  }

  private static String newIdentityWarning(Target t) {
    return "There is no local store for "
        + t.user()
        + " on "
        + t.server()
        + " on this machine: logging in here makes a NEW identity. Your contacts will see a"
        + " changed safety number, and messages sent to the old identity cannot be read. To"
        + " move your identity instead, run 'sotto export FILE' on the old machine and 'sotto"
        + " import FILE' here.";
  }

  private void warnNewIdentity(Target t) {
    ctx().err().println("sotto: warning: " + newIdentityWarning(t));
    ctx().err().flush();
  }

  private boolean askNewIdentity(Target t) {
    if (!ctx().terminal().interactive()) {
      return false;
    }
    ctx().terminal().tell(newIdentityWarning(t));
    return confirm("Make a new identity?");
  }
}
