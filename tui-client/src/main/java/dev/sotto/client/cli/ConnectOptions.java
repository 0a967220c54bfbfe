package dev.sotto.client.cli;

import dev.sotto.client.core.Fingerprint;
import dev.sotto.client.core.ServerAddress;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options shared by the commands that talk to a server. */
final class ConnectOptions {

  @Option(
      names = {"-s", "--server"},
      paramLabel = "HOST:PORT",
      description = "Server address (port 7443 if omitted). Default: the one of the last login.")
  ServerAddress server;

  @Option(
      names = {"-u", "--user"},
      paramLabel = "NAME",
      description = "Username. Default: the one of the last login.")
  String user;

  @Option(
      names = "--trust",
      paramLabel = "FINGERPRINT",
      description =
          "Accept only a server whose certificate has this SHA-256 fingerprint (as the server"
              + " prints at start) and pin it, replacing an older pin.")
  Fingerprint trust;

  @Option(
      names = "--trust-on-first-use",
      description =
          "For scripts: pin a server seen for the first time without asking. A changed"
              + " certificate is still refused.")
  boolean trustOnFirstUse;

  @Option(
      names = "--password-file",
      paramLabel = "FILE",
      description =
          "Read the password from the first line of FILE instead of the terminal (or set"
              + " SOTTO_PASSWORD).")
  Path passwordFile;

  @Option(
      names = "--home",
      paramLabel = "DIR",
      description = "Keep config and data under DIR instead of the XDG directories.")
  Path home;
}
