/**
 * The load generator: one process that drives Sotto, the limit relay and ejabberd with the same
 * pacing and timing code (workloads W1 relay, W2 saturation, W3 offline, W4 idle). The entry point
 * is {@link dev.sotto.bench.load.LoadMain}; {@code bench/README.md} gives one command per workload.
 */
package dev.sotto.bench.load;
