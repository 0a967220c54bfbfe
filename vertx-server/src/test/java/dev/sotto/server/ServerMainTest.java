package dev.sotto.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sotto.server.account.RegistrationPolicy;
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
}
