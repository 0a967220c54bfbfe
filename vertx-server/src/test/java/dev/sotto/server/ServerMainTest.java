package dev.sotto.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sotto.server.account.RegistrationPolicy;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** The command line of {@link ServerMain}, parsed without starting anything. */
class ServerMainTest {

  @ParameterizedTest
  @CsvSource({"open, OPEN", "invite, INVITE", "INVITE, INVITE", "Closed, CLOSED", "closed, CLOSED"})
  void registration_anyCase_notTakenForASubcommand(String given, RegistrationPolicy expected) {
    CommandLine cl = ServerMain.commandLine();
    ParseResult parsed = cl.parseArgs("--registration", given, "--listen", "127.0.0.1:0");
    assertThat(parsed.hasSubcommand()).as("'%s' parsed as a subcommand", given).isFalse();
    assertThat(parsed.matchedOptionValue("--registration", RegistrationPolicy.OPEN))
        .isEqualTo(expected);
    assertThat(((ServerMain) cl.getCommand()).registration).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"--data", "--master-key"})
  void pathOption_namedLikeASubcommand_isAValue(String option) {
    ParseResult parsed = ServerMain.commandLine().parseArgs(option, "invite");
    assertThat(parsed.hasSubcommand()).isFalse();
    assertThat(parsed.matchedOptionValue(option, (Object) null)).hasToString("invite");
  }

  @ParameterizedTest
  @CsvSource({"user", "invite"})
  void subcommands_stillParsed(String name) {
    ParseResult parsed = ServerMain.commandLine().parseArgs(name, "--help");
    assertThat(parsed.subcommand().commandSpec().name()).isEqualTo(name);
  }

  @Test
  void sendLimits_defaultsFromThrottles_andParsed() {
    CommandLine cl = ServerMain.commandLine();
    cl.parseArgs("--send-bytes-per-second", "3145728", "--send-burst-messages", "50");
    ServerMain m = cl.getCommand();
    assertThat(m.sendBytesPerSecond).isEqualTo(3_145_728);
    assertThat(m.sendBurstMessages).isEqualTo(50);
    assertThat(m.sendBurstBytes).isEqualTo(4L << 20);
    assertThat(m.sendMessagesPerSecond).isEqualTo(200);
  }

  @Test
  void sendBurstBelowTheLargestFrame_usageErrorBeforeAnythingStarts() {
    CommandLine cl = ServerMain.commandLine();
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));
    int code = cl.execute("--listen", "127.0.0.1:0", "--send-burst-bytes", "65536");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("send limits").contains("at least 1048576 bytes");
  }
}
