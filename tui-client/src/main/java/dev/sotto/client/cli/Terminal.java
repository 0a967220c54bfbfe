package dev.sotto.client.cli;

/**
 * The person at the keyboard, if any: the real console, or a script of answers in tests. Prompts
 * and answers go through the terminal device, never through stdout or stderr, so scripts that read
 * the program's output never see them.
 */
public interface Terminal {

  /** Whether someone can be asked (a console is attached). */
  boolean interactive();

  /**
   * Reads a password without echo.
   *
   * @return the characters, or {@code null} at end of input; the caller zeroes the array
   */
  char[] readPassword(String prompt);

  /**
   * Reads a line with echo.
   *
   * @return the line, or {@code null} at end of input
   */
  String readLine(String prompt);

  /** Writes a message to the person (on the terminal device). */
  void tell(String message);

  /** The process's console ({@link System#console()}); not interactive when there is none. */
  static Terminal system() {
    java.io.Console console = System.console();
    return new Terminal() {
      @Override
      public boolean interactive() {
        return console != null;
      }

      @Override
      public char[] readPassword(String prompt) {
        return console == null ? null : console.readPassword("%s", prompt);
      }

      @Override
      public String readLine(String prompt) {
        return console == null ? null : console.readLine("%s", prompt);
      }

      @Override
      public void tell(String message) {
        if (console != null) {
          console.printf("%s%n", message);
          console.flush();
        }
      }
    };
  }
}
