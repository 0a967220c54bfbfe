package dev.sotto.client.cli;

/** The exit codes of {@code sotto}, stable for scripts. Listed in {@code sotto --help}. */
public final class ExitCodes {
  /** Success. */
  public static final int OK = 0;

  /** Bad command line or input: unknown option, bad address or username, short password. */
  public static final int USAGE = 1;

  /** Wrong username or password, or the account is disabled. */
  public static final int AUTH_FAILED = 2;

  /**
   * The server cannot be reached, the connection dropped or timed out, or it broke the protocol.
   */
  public static final int NETWORK = 3;

  /** The server refused the request (name taken, invalid invite, registration closed...). */
  public static final int SERVER_REFUSED = 4;

  /** The server's certificate is not the pinned one (or not the one given with --trust). */
  public static final int CERTIFICATE_CHANGED = 5;

  /** Too many attempts or the server is busy: try again later (the message says when). */
  public static final int RATE_LIMITED = 6;

  /**
   * A server seen for the first time was not trusted (no --trust, prompt declined or no terminal).
   */
  public static final int UNTRUSTED_SERVER = 7;

  /** A local file (config, known_servers, password file) could not be read or written. */
  public static final int LOCAL_IO = 8;

  /** The account's local store is held by another Sotto process (the message names it). */
  public static final int STORE_LOCKED = 9;

  /**
   * No local store for the account on this machine: logging in would make a new identity. Use
   * {@code --new-identity} (contacts then see a changed safety number) or {@code sotto import}.
   */
  public static final int NO_LOCAL_STORE = 10;

  /**
   * A contact's safety number changed: compare it ({@code verify}) and accept it ({@code trust}).
   */
  public static final int IDENTITY_CHANGED = 11;

  /** The local store does not open with this password, or is damaged. */
  public static final int STORE_UNUSABLE = 12;

  /** {@code verify --compare}: the digits do not match the safety number. */
  public static final int MISMATCH = 13;

  /** An internal error: a bug in sotto; details are in the log file. */
  public static final int INTERNAL = 70;

  /** The lines of the help footer, {@code "code:description"} as picocli's exitCodeList wants. */
  static final String[] HELP = {
    "0:success",
    "1:bad command line or input",
    "2:wrong username or password, or account disabled",
    "3:server unreachable, connection lost or timed out",
    "4:server refused the request",
    "5:server certificate changed (or differs from --trust)",
    "6:rate limited or server busy; try again later",
    "7:new server not trusted (use --trust FINGERPRINT)",
    "8:local file could not be read or written",
    "9:local store in use by another sotto process",
    "10:no local store on this machine (use --new-identity or import)",
    "11:a contact's safety number changed (verify, then trust)",
    "12:local store does not open with this password, or is damaged",
    "13:verify --compare: the safety numbers differ",
    "70:internal error (see the log file)",
  };

  private ExitCodes() {}
}
