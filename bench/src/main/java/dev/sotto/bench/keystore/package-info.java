/**
 * JMH benchmarks of the client crypto (keystore): each product operation beside the primitives it
 * is made of, in one run ({@link dev.sotto.bench.keystore.KeystoreBenchmarks} runs them all and
 * writes {@code bench/results/keystore.md}).
 */
package dev.sotto.bench.keystore;
