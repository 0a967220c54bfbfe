package dev.sotto.client.tui.model;

import java.util.Objects;

/** The outcome of {@link LoginController#login(LoginRequest)}. */
public sealed interface LoginResult {

  /** Logged in; the {@link ChatModel} given to the TUI is now live. */
  record LoggedIn() implements LoginResult {}

  /**
   * The server only registers with an invite code, and none (or a wrong one) was given.
   *
   * @param message a sentence for the user
   */
  record InviteRequired(String message) implements LoginResult {
    public InviteRequired {
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * Refused (wrong password, name taken, throttled, store held by another process...).
   *
   * @param message a sentence for the user, e.g. "wrong username or password"
   */
  record Rejected(String message) implements LoginResult {
    public Rejected {
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * First connection to this server: its certificate fingerprint must be accepted by the user
   * ({@link LoginController#trustServer}) before logging in.
   *
   * @param fingerprint SHA-256 of the certificate's SubjectPublicKeyInfo, as the server prints it
   */
  record UnknownServer(String fingerprint) implements LoginResult {
    public UnknownServer {
      Objects.requireNonNull(fingerprint, "fingerprint");
    }
  }

  /**
   * The server presented a certificate other than the pinned one. The connection was refused.
   *
   * @param pinned the fingerprint in {@code known_servers}
   * @param presented the fingerprint the server presented now
   * @param knownServersFile where the pin is kept, for the user to edit if the change is expected
   */
  record ServerKeyChanged(String pinned, String presented, String knownServersFile)
      implements LoginResult {
    public ServerKeyChanged {
      Objects.requireNonNull(pinned, "pinned");
      Objects.requireNonNull(presented, "presented");
      Objects.requireNonNull(knownServersFile, "knownServersFile");
    }
  }
}
