package dev.sotto.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code sotto-server} on a port another program holds: one sentence on standard error naming the
 * address, no stack trace, exit 1.
 */
class ServerBindIT {

  @TempDir Path temp;

  private static ServerSocket occupy() throws Exception {
    return new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
  }

  @Test
  void portInUse_inProcess_oneSentence_exit1() throws Exception {
    try (ServerSocket taken = occupy()) {
      String address = "127.0.0.1:" + taken.getLocalPort();
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      CommandLine cl = ServerMain.commandLine();
      cl.setOut(new PrintWriter(out, true));
      cl.setErr(new PrintWriter(err, true));

      int exit = cl.execute("--listen", address, "--data", temp.resolve("data").toString());

      assertThat(exit).isEqualTo(1);
      assertThat(err.toString())
          .isEqualTo(
              "sotto-server: cannot listen on "
                  + address
                  + ": address already in use"
                  + System.lineSeparator());
      assertThat(out.toString()).doesNotContain("listening on");
    }
  }

  @Test
  void portInUse_ownJvm_noStackTrace_exit1() throws Exception {
    try (ServerSocket taken = occupy()) {
      String address = "127.0.0.1:" + taken.getLocalPort();
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process p =
          new ProcessBuilder(
                  java,
                  "-cp",
                  System.getProperty("java.class.path"),
                  "dev.sotto.server.ServerMain",
                  "--listen",
                  address,
                  "--data",
                  temp.resolve("data").toString())
              .redirectErrorStream(true)
              .start();
      String output;
      try {
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("server exited").isTrue();
        output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      } finally {
        p.destroyForcibly();
      }

      assertThat(p.exitValue()).as(output).isEqualTo(1);
      assertThat(output)
          .contains("sotto-server: cannot listen on " + address + ": address already in use")
          .doesNotContain("\tat ")
          .doesNotContain("Exception");
    }
  }
}
