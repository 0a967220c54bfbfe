package dev.sotto.client.it;

import dev.sotto.client.cli.CliContext;
import dev.sotto.client.cli.ClientMain;
import dev.sotto.client.cli.Terminal;
import dev.sotto.client.core.ClientOptions;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Runs {@code sotto ARGS} in-process through {@link ClientMain#execute}, as a script would: no
 * terminal (nothing is asked, messages are dropped), standard output and error captured.
 */
final class InProcessCli {

  private InProcessCli() {}

  /** A run's exit code and what it printed. */
  record Run(int code, String out, String err) {
    /** Standard output, one element per line. */
    List<String> lines() {
      return out.isEmpty() ? List.of() : Arrays.asList(out.split("\n"));
    }
  }

  /** A terminal that is not interactive: no answer to any prompt, messages dropped. */
  static final Terminal NO_TERMINAL =
      new Terminal() {
        @Override
        public boolean interactive() {
          return false;
        }

        @Override
        public char[] readPassword(String prompt) {
          return null;
        }

        @Override
        public String readLine(String prompt) {
          return null;
        }

        @Override
        public void tell(String message) {}
      };

  /**
   * Runs {@code args}.
   *
   * @param env the environment the command sees (e.g. {@code SOTTO_PASSWORD})
   * @param home the Sotto home directory (the {@code sotto.home} property)
   * @param userHome the user's home directory
   * @param options connection and key-derivation options
   * @param stdin standard input
   */
  static Run run(
      Map<String, String> env,
      Path home,
      Path userHome,
      ClientOptions options,
      String stdin,
      String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CliContext ctx =
        new CliContext(
                env,
                home.toString(),
                userHome.toString(),
                NO_TERMINAL,
                new PrintWriter(out, true),
                new PrintWriter(err, true),
                options)
            .withIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    int code = ClientMain.execute(args, ctx);
    return new Run(code, out.toString(), err.toString());
  }
}
