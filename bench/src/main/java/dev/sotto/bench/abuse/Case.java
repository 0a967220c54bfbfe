package dev.sotto.bench.abuse;

import java.util.Objects;

/**
 * One entry of the catalogue.
 *
 * @param name a short name
 * @param sent what the hostile client sends
 * @param expected the server reaction the protocol requires
 * @param alone whether the case must run with no other case beside it (it loads the server)
 * @param check runs the case and says what happened
 */
record Case(String name, String sent, String expected, boolean alone, Check check) {
  /** Runs a case against the live server. */
  @FunctionalInterface
  interface Check {
    /** What was observed, and whether it matches the expectation. */
    Outcome run() throws Exception;
  }

  /** The observation of one run. */
  record Outcome(String observed, boolean pass) {
    Outcome {
      Objects.requireNonNull(observed, "observed");
    }

    /** An outcome that passes iff {@code ok}. */
    static Outcome of(boolean ok, String observed) {
      return new Outcome(observed, ok);
    }
  }

  Case {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(sent, "sent");
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(check, "check");
  }

  /** Runs the check; an exception is a failure whose text is the observation. */
  Result run() {
    long t0 = System.nanoTime();
    Outcome o;
    try {
      o = check.run();
    } catch (Exception | AssertionError e) {
      o = new Outcome("client error: " + e, false);
    }
    return new Result(this, o, (System.nanoTime() - t0) / 1_000_000);
  }

  /** A case and what its run observed. */
  record Result(Case of, Outcome outcome, long millis) {}
}
