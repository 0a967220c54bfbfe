package dev.sotto.server.account;

import dev.sotto.wire.proto.KdfParams;

/**
 * The Argon2id cost an account's client uses to derive its keys. The server only stores and hands
 * them out; it never runs Argon2.
 *
 * @param memoryKib memory in KiB
 * @param iterations passes over memory
 * @param parallelism lanes
 */
public record KdfParameters(int memoryKib, int iterations, int parallelism) {

  /** DESIGN.md's cost: m = 64 MiB, t = 3, p = 1. Also what unknown users are told. */
  public static final KdfParameters DEFAULT = new KdfParameters(65536, 3, 1);

  /** Largest memory cost accepted (4 GiB), so a client cannot lock itself out by a typo. */
  public static final int MAX_MEMORY_KIB = 4 * 1024 * 1024;

  /** Largest iteration count accepted. */
  public static final int MAX_ITERATIONS = 64;

  /** Largest lane count accepted. */
  public static final int MAX_PARALLELISM = 16;

  /**
   * Validates the Argon2 bounds (RFC 9106: memory at least 8 KiB per lane). Low costs are allowed:
   * tests and benchmarks register with them, and they only weaken the registering account itself.
   *
   * @throws IllegalArgumentException when a value is out of range
   */
  public KdfParameters {
    if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
      throw new IllegalArgumentException(
          "expected parallelism 1.." + MAX_PARALLELISM + ", got " + parallelism);
    }
    if (iterations < 1 || iterations > MAX_ITERATIONS) {
      throw new IllegalArgumentException(
          "expected iterations 1.." + MAX_ITERATIONS + ", got " + iterations);
    }
    if (memoryKib < 8 * parallelism || memoryKib > MAX_MEMORY_KIB) {
      throw new IllegalArgumentException(
          "expected memory " + 8 * parallelism + ".." + MAX_MEMORY_KIB + " KiB, got " + memoryKib);
    }
  }

  /**
   * Reads wire parameters.
   *
   * @throws IllegalArgumentException when a value is out of range (unsigned values above {@code
   *     Integer.MAX_VALUE} included)
   */
  public static KdfParameters fromProto(KdfParams params) {
    return new KdfParameters(
        params.getMemoryKib(), params.getIterations(), params.getParallelism());
  }

  /** The wire form. */
  public KdfParams toProto() {
    return KdfParams.newBuilder()
        .setMemoryKib(memoryKib)
        .setIterations(iterations)
        .setParallelism(parallelism)
        .build();
  }
}
