package dev.sotto.keystore.account;

/**
 * The Argon2id cost of one account: memory in KiB, iterations (passes) and parallelism (lanes).
 *
 * <p>The parameters travel with the account (the server stores and returns them), so they can be
 * raised later. Because a server answers a login with the parameters to use, this type bounds them
 * on both sides: a hostile or broken server must not make the client allocate gigabytes or spin for
 * minutes ({@link #MAX_MEMORY_KIB}, {@link #MAX_ITERATIONS}, {@link #MAX_PARALLELISM}). Whether a
 * <em>low</em> cost is acceptable is a policy of the caller (see {@link #isAtLeast}).
 *
 * @param memoryKib memory in KiB, at least {@code 8 * parallelism} (Argon2's own minimum)
 * @param iterations number of passes over the memory, at least 1
 * @param parallelism number of lanes, at least 1
 */
public record KdfParameters(int memoryKib, int iterations, int parallelism) {

  /** Largest memory cost accepted: 1 GiB. */
  public static final int MAX_MEMORY_KIB = 1 << 20;

  /** Largest number of passes accepted. */
  public static final int MAX_ITERATIONS = 64;

  /** Largest number of lanes accepted. */
  public static final int MAX_PARALLELISM = 16;

  /** The default cost of a new account (DESIGN.md "Accounts"): m = 64 MiB, t = 3, p = 1. */
  public static final KdfParameters DEFAULT = new KdfParameters(64 * 1024, 3, 1);

  /**
   * Validates the bounds.
   *
   * @throws IllegalArgumentException if a value is outside its bounds
   */
  public KdfParameters {
    if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
      throw new IllegalArgumentException(
          "expected Argon2 parallelism in [1, " + MAX_PARALLELISM + "], got " + parallelism);
    }
    if (iterations < 1 || iterations > MAX_ITERATIONS) {
      throw new IllegalArgumentException(
          "expected Argon2 iterations in [1, " + MAX_ITERATIONS + "], got " + iterations);
    }
    if (memoryKib < 8 * parallelism || memoryKib > MAX_MEMORY_KIB) {
      throw new IllegalArgumentException(
          "expected Argon2 memory in ["
              + 8 * parallelism
              + ", "
              + MAX_MEMORY_KIB
              + "] KiB, got "
              + memoryKib);
    }
  }

  /**
   * Whether this cost is at least {@code floor} in memory and in iterations (parallelism does not
   * raise the cost an attacker pays, so it is not compared).
   */
  public boolean isAtLeast(KdfParameters floor) {
    return memoryKib >= floor.memoryKib && iterations >= floor.iterations;
  }

  @Override
  public String toString() {
    return "Argon2id(m=" + memoryKib + " KiB, t=" + iterations + ", p=" + parallelism + ")";
  }
}
