#!/usr/bin/env bash
# Runs every keystore JMH benchmark in one run and writes bench/results/keystore.md.
# Usage: scripts/bench-keystore.sh [JMH options, e.g. -f 2 -i 10]
# Takes about 6 minutes with the classes' own settings (1 fork, short iterations).
set -euo pipefail
cd "$(dirname "$0")/.."
cp_file="$(mktemp)"
trap 'rm -f "$cp_file"' EXIT
mvn -B -q -pl bench -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile="$cp_file"
exec java -Dfile.encoding=UTF-8 -cp "bench/target/classes:$(cat "$cp_file")" \
  dev.sotto.bench.keystore.KeystoreBenchmarks "$@"
