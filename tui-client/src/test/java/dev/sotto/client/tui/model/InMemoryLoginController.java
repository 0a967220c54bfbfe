package dev.sotto.client.tui.model;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A scriptable {@link LoginController} for screen tests. Test sources only. */
public final class InMemoryLoginController implements LoginController {

  /** A login call as the UI made it; the password is copied before the UI wipes it. */
  public record Call(
      String host, int port, String username, String password, boolean register, String invite) {}

  private final Deque<LoginResult> results = new ArrayDeque<>();
  private final List<Call> calls = new ArrayList<>();
  private final List<String> trusted = new ArrayList<>();
  private final String lastServer;
  private final String lastUsername;

  public InMemoryLoginController(String lastServer, String lastUsername) {
    this.lastServer = lastServer;
    this.lastUsername = lastUsername;
  }

  /** The results the next logins return, in order (then LoggedIn). */
  public InMemoryLoginController then(LoginResult r) {
    results.add(r);
    return this;
  }

  public List<Call> calls() {
    return calls;
  }

  public List<String> trusted() {
    return trusted;
  }

  @Override
  public String lastServer() {
    return lastServer;
  }

  @Override
  public String lastUsername() {
    return lastUsername;
  }

  @Override
  public CompletableFuture<LoginResult> login(LoginRequest r) {
    calls.add(
        new Call(
            r.host(),
            r.port(),
            r.username(),
            new String(r.password()),
            r.register(),
            r.inviteCode()));
    LoginResult next = results.isEmpty() ? new LoginResult.LoggedIn() : results.poll();
    return CompletableFuture.completedFuture(next);
  }

  @Override
  public CompletableFuture<Void> trustServer(String host, int port, String fingerprint) {
    trusted.add(host + ":" + port + " " + fingerprint);
    return CompletableFuture.completedFuture(null);
  }
}
