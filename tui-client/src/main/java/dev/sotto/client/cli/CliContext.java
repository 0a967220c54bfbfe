package dev.sotto.client.cli;

import dev.sotto.client.core.ClientOptions;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Objects;

/**
 * What a command run depends on from outside: environment, terminal, output streams and client
 * options. The real program uses {@link #system()}; tests pass their own (a temporary home, a
 * scripted terminal, a LOWERED key-derivation cost).
 *
 * @param env environment variables ({@code SOTTO_PASSWORD}, {@code XDG_*}, {@code SOTTO_HOME})
 * @param homeProperty the {@code sotto.home} system property, or {@code null}
 * @param userHome the user's home directory
 * @param terminal the person at the keyboard, if any
 * @param out where results go (stdout)
 * @param err where the one-line failure goes (stderr)
 * @param clientOptions connection and key-derivation options
 * @param in standard input ({@code send --stdin})
 */
public record CliContext(
    Map<String, String> env,
    String homeProperty,
    String userHome,
    Terminal terminal,
    PrintWriter out,
    PrintWriter err,
    ClientOptions clientOptions,
    java.io.InputStream in) {

  /** Checks for nulls (except {@code homeProperty}). */
  public CliContext {
    Objects.requireNonNull(env, "env");
    Objects.requireNonNull(userHome, "userHome");
    Objects.requireNonNull(terminal, "terminal");
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(err, "err");
    Objects.requireNonNull(clientOptions, "clientOptions");
    Objects.requireNonNull(in, "in");
  }

  /** A context whose standard input is empty. */
  public CliContext(
      Map<String, String> env,
      String homeProperty,
      String userHome,
      Terminal terminal,
      PrintWriter out,
      PrintWriter err,
      ClientOptions clientOptions) {
    this(
        env,
        homeProperty,
        userHome,
        terminal,
        out,
        err,
        clientOptions,
        java.io.InputStream.nullInputStream());
  }

  /** This context with another standard input. */
  public CliContext withIn(java.io.InputStream stdin) {
    return new CliContext(env, homeProperty, userHome, terminal, out, err, clientOptions, stdin);
  }

  /** This context with other client options. */
  public CliContext withClientOptions(ClientOptions options) {
    return new CliContext(env, homeProperty, userHome, terminal, out, err, options, in);
  }

  /** This process's environment, console and standard streams, with default options. */
  public static CliContext system() {
    return new CliContext(
        System.getenv(),
        System.getProperty(dev.sotto.client.core.ClientPaths.HOME_PROPERTY),
        System.getenv().getOrDefault("HOME", System.getProperty("user.home")),
        Terminal.system(),
        new PrintWriter(System.out, true),
        new PrintWriter(System.err, true),
        ClientOptions.defaults(),
        System.in);
  }
}
