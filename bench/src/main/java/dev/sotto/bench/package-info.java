/** JMH benchmarks and the load generator; each benchmark's Javadoc gives the command to run it. */
package dev.sotto.bench;
