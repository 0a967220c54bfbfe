package dev.sotto.client.cli;

import dev.sotto.client.core.ClientPaths;
import dev.sotto.client.core.Fingerprint;
import dev.sotto.client.core.ServerAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sotto}, the command-line client. Without a subcommand it prints help (the full-screen UI
 * will become the default). Logs go to {@code sotto.log} in the data directory, never to the
 * terminal.
 */
@Command(
    name = "sotto",
    mixinStandardHelpOptions = true,
    version = "sotto 0.1.0",
    description = "End-to-end encrypted chat for your LAN, in the terminal.",
    footer = {
      "",
      "Passwords are read without echo from the terminal, or from --password-file FILE or the"
          + " environment variable SOTTO_PASSWORD (SOTTO_NEW_PASSWORD for passwd's new one).",
      "Files: known_servers and client.properties in $XDG_CONFIG_HOME/sotto/, data and sotto.log"
          + " in $XDG_DATA_HOME/sotto/ (or under --home DIR / $SOTTO_HOME)."
    })
public final class ClientMain implements Callable<Integer> {

  @Option(
      names = "--home",
      paramLabel = "DIR",
      description = "Keep config and data under DIR instead of the XDG directories.")
  Path home;

  @Spec CommandSpec spec;

  private final CliContext context;

  ClientMain(CliContext context) {
    this.context = context;
  }

  CliContext context() {
    return context;
  }

  /** Runs {@code sotto} and exits with its exit code. */
  public static void main(String[] args) {
    CliContext ctx = CliContext.system();
    configureLogFile(args, ctx);
    System.exit(execute(args, ctx));
  }

  /**
   * Runs {@code sotto args} in this process and returns the exit code ({@link ExitCodes}); what a
   * person should read goes to {@code ctx.out()} and {@code ctx.err()}.
   */
  public static int execute(String[] args, CliContext ctx) {
    return commandLine(ctx).execute(args);
  }

  /** The picocli command line with every subcommand, converter and handler installed. */
  static CommandLine commandLine(CliContext ctx) {
    CommandLine cl = new CommandLine(new ClientMain(ctx));
    cl.addSubcommand(new RegisterCommand());
    cl.addSubcommand(new LoginCommand());
    cl.addSubcommand(new PasswdCommand());
    cl.addSubcommand(new SendCommand());
    cl.addSubcommand(new ReceiveCommand());
    cl.addSubcommand(new ListCommand());
    cl.addSubcommand(new HistoryCommand());
    cl.addSubcommand(new StatusCommand());
    cl.addSubcommand(new BlockCommand());
    cl.addSubcommand(new UnblockCommand());
    cl.addSubcommand(new VerifyCommand());
    cl.addSubcommand(new TrustCommand());
    cl.addSubcommand(new ResetKeysCommand());
    cl.addSubcommand(new ExportCommand());
    cl.addSubcommand(new ImportCommand());
    cl.registerConverter(ServerAddress.class, ClientMain::parseServer);
    cl.registerConverter(Fingerprint.class, ClientMain::parseFingerprint);
    cl.setOut(ctx.out());
    cl.setErr(ctx.err());
    Map<String, String> codes = new LinkedHashMap<>();
    for (String line : ExitCodes.HELP) {
      int colon = line.indexOf(':');
      codes.put(line.substring(0, colon), line.substring(colon + 1));
    }
    cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          LoggerFactory.getLogger(ClientMain.class).error("internal error", ex);
          ctx.err().println("sotto: Internal error (" + ex.getClass().getSimpleName() + ").");
          ctx.err().flush();
          return ExitCodes.INTERNAL;
        });
    cl.setParameterExceptionHandler(
        (ex, args) -> {
          ctx.err().println("sotto: " + ex.getMessage() + " (see 'sotto --help')");
          ctx.err().flush();
          return ExitCodes.USAGE;
        });
    return cl;
  }

  private static ServerAddress parseServer(String text) {
    try {
      return ServerAddress.parse(text);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }

  private static Fingerprint parseFingerprint(String text) {
    try {
      return Fingerprint.parse(text);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }

  /**
   * Points the log file (see logback.xml) at the data directory, before anything logs. {@code
   * --home} is looked up in the raw arguments because picocli has not parsed them yet.
   */
  static void configureLogFile(String[] args, CliContext ctx) {
    if (System.getProperty("sotto.log.file") != null) {
      return;
    }
    Path home = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--home") && i + 1 < args.length) {
        home = Path.of(args[i + 1]);
      } else if (args[i].startsWith("--home=")) {
        home = Path.of(args[i].substring("--home=".length()));
      }
    }
    try {
      ClientPaths paths = ClientPaths.resolve(home, ctx.env(), ctx.homeProperty(), ctx.userHome());
      paths.createDirectories();
      Path log = paths.logFile();
      if (!Files.exists(log)) {
        // The log names users and servers: readable by the owner only.
        Files.createFile(
            log,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
      System.setProperty("sotto.log.file", log.toString());
    } catch (IOException | RuntimeException e) {
      // A bad --home is reported by picocli; logs then go to logback.xml's fallback.
    }
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(context.out());
    context.out().flush();
    return ExitCodes.OK;
  }
}
