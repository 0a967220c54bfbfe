#!/usr/bin/env bash
# Full crash campaign for messages: the real server runs in a child JVM and is killed with SIGKILL
# at random moments while users send to each other and ack what they receive; it is restarted
# on the same data directory each time (once with its MapDB file damaged), and at the end every
# message acknowledged Stored must have been delivered exactly once.
# Usage: scripts/message-kill-campaign.sh [options] [CYCLES] [SEED]   (default 100 cycles, random
# seed, 4 users sending unpaced; writes bench/results/message-kill-campaign.md)
#   --users N        accounts, each with a sending and a receiving connection (default 4)
#   --rate R         messages per second offered by all senders together (default 0: unpaced)
#   --payload B      ciphertext bytes per message (default 0: random 16-2015)
#   --pairs          W1-style fixed partners (user 2k <-> 2k+1) instead of random recipients
#   --kill MIN-MAX   kill a uniform MIN-MAX ms after the logins (default 300-3000)
#   --seconds S      start no new cycle after S seconds (default: no limit)
#   --heap SIZE      the server JVM's -Xmx (default 256m)
#   --out FILE       the Markdown report (default bench/results/message-kill-campaign.md)
set -euo pipefail
cd "$(dirname "$0")/.."
invocation="$*"
users=4 rate=0 payload=0 pairs=false kill="300-3000" seconds=1000000 heap=256m
out="bench/results/message-kill-campaign.md"
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --users) users="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --payload) payload="$2"; shift 2 ;;
    --pairs) pairs=true; shift ;;
    --kill) kill="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --heap) heap="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
cycles="${args[0]:-100}"
seed="${args[1]:-$(date +%s)}"
table="$(mktemp)"
trap 'rm -f "$table" "$table.md"' EXIT
start=$(date -u +%Y-%m-%dT%H:%M:%SZ)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$(date +%s)
mvn -B -q -o -pl vertx-server -am verify -Dspotless.check.skip=true \
  -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=MessageKillCampaignIT -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dsotto.msgkill.cycles="$cycles" -Dsotto.msgkill.seconds="$seconds" \
  -Dsotto.msgkill.seed="$seed" -Dsotto.msgkill.report="$table.md" \
  -Dsotto.msgkill.users="$users" -Dsotto.msgkill.rate="$rate" \
  -Dsotto.msgkill.payload="$payload" -Dsotto.msgkill.pairs="$pairs" \
  -Dsotto.msgkill.minKillMs="${kill%-*}" -Dsotto.msgkill.maxKillMs="${kill#*-}" \
  -Dsotto.msgkill.heap="$heap"
took=$(( $(date +%s) - t0 ))
{
  echo "# Message crash campaign (kill -9)"
  echo
  echo "Run $start with \`scripts/message-kill-campaign.sh $invocation\` (seed $seed) on $(nproc) cores"
  echo "($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1));"
  echo "took ${took} s; load average before the run $load_before (the machine is shared)."
  echo "Each cycle starts the real server (\`CampaignServerMain\`: \`SottoServer\` with the tests' wide"
  echo "throttles, -Xmx$heap) as a child JVM on the same data directory, logs $users users in twice each"
  echo "(a sending and a receiving connection, 8 logins at a time; each user starts sending as soon as"
  echo "it is in), and kills the server with SIGKILL: in 1 cycle of 4 a uniform $kill ms after it"
  echo "listens (often during logins and backlogs), otherwise that long after the logins. Senders keep"
  echo "at most 8 sends in flight and every message not yet \`Stored\` in an outbox that is resent with"
  echo "the same id after the restart; receivers record each push, then ack it. After cycle 2's kill a"
  echo "quarter of the MapDB file is overwritten with random bytes. A last clean round resends the"
  echo "outboxes and drains every mailbox. Lost = acknowledged \`Stored\` but never delivered;"
  echo "duplicated = pushed again after the server confirmed the ack; redelivered = pushed again when"
  echo "the ack had been sent but not confirmed before the kill (at-least-once, deduplicated by id in"
  echo "the client). Kill to listening = SIGKILL to the new child's \`listening\` line (it includes the"
  echo "driver closing its connections before it relaunches); launch to listening = process start to"
  echo "that line, split into JVM start to \`main\`, \`SottoServer.start\`, and within it the store's"
  echo "open with its phases (\`RecoveryReport.Phases\`: prepare, stateOpen, stateVerify = walking"
  echo "MapDB to check its digest after an unclean shutdown, journal = validating the journal and"
  echo "folding its tail). Kill to first Stored = SIGKILL to the first \`Stored\` answer after the restart."
  echo
  cat "$table.md"
} > "$out"
echo "wrote $out"
cat "$out"
