#!/usr/bin/env bash
# Full crash campaign for messages: the real server runs in a child JVM and is killed with SIGKILL
# at random moments while four users send to each other and ack what they receive; it is restarted
# on the same data directory each time (once with its MapDB file damaged), and at the end every
# message acknowledged Stored must have been delivered exactly once.
# Usage: scripts/message-kill-campaign.sh [CYCLES] [SEED]   (default 100 cycles, random seed)
# Writes bench/results/message-kill-campaign.md.
set -euo pipefail
cd "$(dirname "$0")/.."
cycles="${1:-100}"
seed="${2:-$(date +%s)}"
out="bench/results/message-kill-campaign.md"
table="$(mktemp)"
trap 'rm -f "$table" "$table.md"' EXIT
start=$(date -u +%Y-%m-%dT%H:%M:%SZ)
t0=$(date +%s)
mvn -B -q -o -pl vertx-server -am verify \
  -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=MessageKillCampaignIT -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dsotto.msgkill.cycles="$cycles" -Dsotto.msgkill.seconds=1000000 \
  -Dsotto.msgkill.seed="$seed" -Dsotto.msgkill.report="$table.md"
took=$(( $(date +%s) - t0 ))
{
  echo "# Message crash campaign (kill -9)"
  echo
  echo "Run $start with \`scripts/message-kill-campaign.sh $cycles $seed\` on $(nproc) cores"
  echo "($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)); took ${took} s."
  echo "Each cycle starts the real server (\`CampaignServerMain\`: \`SottoServer\` with the tests' wide"
  echo "throttles) as a child JVM on the same data directory, logs 4 users in twice each (a sending and"
  echo "a receiving connection), and kills the server with SIGKILL: in 1 cycle of 4 a uniform 300-3000 ms"
  echo "after it listens (often during logins and backlogs), otherwise that long after the logins."
  echo "Senders keep 8 sends in flight to random other users (16-2015 random bytes of ciphertext) and"
  echo "keep every message not yet \`Stored\` in an outbox that is resent with the same id after the"
  echo "restart; receivers record each push, then ack it. After cycle 2's kill a quarter of the MapDB"
  echo "file is overwritten with random bytes. A last clean round resends the outboxes and drains every"
  echo "mailbox. Lost = acknowledged \`Stored\` but never delivered; duplicated = pushed again after"
  echo "the server confirmed the ack; redelivered = pushed again when the ack had been sent but not"
  echo "confirmed before the kill (at-least-once, deduplicated by id in the client)."
  echo
  cat "$table.md"
} > "$out"
echo "wrote $out"
cat "$out"
