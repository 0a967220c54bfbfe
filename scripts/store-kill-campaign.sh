#!/usr/bin/env bash
# Full crash campaign for the journaled store: a writer JVM is killed with SIGKILL at random
# moments, the store is reopened, and every acknowledged write is checked.
# Usage: scripts/store-kill-campaign.sh [CYCLES] [SEED]   (default 200 cycles, random seed)
# Writes bench/results/store-kill-campaign.md.
set -euo pipefail
cd "$(dirname "$0")/.."
cycles="${1:-200}"
seed="${2:-$(date +%s)}"
out="bench/results/store-kill-campaign.md"
table="$(mktemp)"
trap 'rm -f "$table"' EXIT
start=$(date -u +%Y-%m-%dT%H:%M:%SZ)
mvn -B -q -o -pl store -am verify \
  -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=KillLoopIT -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dsotto.kill.cycles="$cycles" -Dsotto.kill.seed="$seed" -Dsotto.kill.report="$table.md"
{
  echo "# Store crash campaign (kill -9)"
  echo
  echo "Run $start with \`scripts/store-kill-campaign.sh $cycles $seed\` on $(nproc) cores"
  echo "($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1))."
  echo "Each cycle starts a writer JVM (4 threads: batches of 3-4 ops and updates, fsync on,"
  echo "checkpoints every 200 ms, compaction above 256 KiB at ratio 1.5) and kills it with SIGKILL:"
  echo "in 1 of 5 cycles 0-1500 ms after the JVM starts (often during start-up or recovery), otherwise"
  echo "0-1500 ms after the store has opened. In 3 of 4 cycles the test then reopens the store and checks every write acknowledged since"
  echo "the last check plus 500 random older ones (the last cycle checks all). In the other cycles the"
  echo "next writer opens the unclean store itself and may be killed while recovering."
  echo "'Rebuilds' count opens that found MapDB unusable and rebuilt it from the journal."
  echo "'Checkpointer failures' count checks whose open passed MapDB's walk but whose checkpoint then"
  echo "met damage the walk cannot see (a broken free-space record): the store failed, and the check"
  echo "was done again on a reopen, which rebuilt MapDB from the journal."
  echo
  cat "$table.md"
} > "$out"
rm -f "$table.md"
echo "wrote $out"
cat "$out"
