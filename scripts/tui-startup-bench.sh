#!/usr/bin/env bash
# Measures the full-screen client's start-up: from launching `scripts/sotto` (bash launcher, JVM start,
# Lanterna, the login screen) until its first frame is on a real terminal (a tmux pane of 80x24),
# i.e. until the screen takes keys. Key derivation is not part of it (it runs after the password).
# Usage: scripts/tui-startup-bench.sh [RUNS]   (default 15). Writes bench/results/tui-startup.md.
set -euo pipefail
HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
ROOT=$(cd "$HERE/.." && pwd)
RUNS=${1:-15}
SOCK=sotto-bench-$$
TMPH=$(mktemp -d /tmp/sotto-startup.XXXXXX)
trap 'tmux -L "$SOCK" kill-server 2>/dev/null || true; rm -rf "$TMPH"' EXIT
"$HERE/sotto" --help >/dev/null   # build first, outside the measurement

# Starts a pane; a tmux server that is still shutting down makes `new` fail ("server exited
# unexpectedly"), so wait and retry.
tnew() {
  local i
  for i in 1 2 3 4 5 6 7 8 9 10; do
    tmux -L "$SOCK" new -d -s b -x 80 -y 24 "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "tmux did not start" >&2; exit 1
}

measure() { # $1 = command line run in the pane; prints milliseconds to the first frame
  local cmd=$1 start now
  tmux -L "$SOCK" kill-server 2>/dev/null || true
  sleep 0.2
  start=$(date +%s%N)
  tnew "$cmd"
  while :; do
    if tmux -L "$SOCK" capture-pane -p -t b 2>/dev/null | grep -q 'Sotto - end-to-end encrypted chat'; then
      now=$(date +%s%N); break
    fi
    if (( ($(date +%s%N) - start) > 20000000000 )); then echo "timeout" >&2; exit 1; fi
    sleep 0.005
  done
  tmux -L "$SOCK" send-keys -t b C-c
  sleep 0.3
  tmux -L "$SOCK" kill-server 2>/dev/null || true
  echo $(( (now - start) / 1000000 ))
}

# The time for tmux itself to start a pane and show text, to subtract nothing silently.
baseline=()
for _ in $(seq 1 5); do
  sleep 0.2
  s=$(date +%s%N)
  tnew "echo 'Sotto - end-to-end encrypted chat'; sleep 5"
  until tmux -L "$SOCK" capture-pane -p -t b | grep -q 'Sotto - end-to-end'; do sleep 0.005; done
  baseline+=($(( ($(date +%s%N) - s) / 1000000 )))
  tmux -L "$SOCK" kill-server 2>/dev/null || true
done

ENV="env HOME=$TMPH LANG=C.UTF-8 TERM=xterm-256color"
full=(); bare=()
for _ in $(seq 1 "$RUNS"); do
  full+=("$(measure "$ENV $ROOT/scripts/sotto")")
  bare+=("$(measure "$ENV java -Dfile.encoding=UTF-8 -XX:TieredStopAtLevel=1 -Xshare:auto -XX:+UseSerialGC -cp '$ROOT/tui-client/target/appassembler/lib/*' dev.sotto.client.tui.adapter.TuiMain")")
done

stats() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "min %d, median %d, max %d", a[1], a[int((NR+1)/2)], a[NR]}'; }
OUT="$ROOT/bench/results/tui-startup.md"
mkdir -p "$(dirname "$OUT")"
{
  echo "# Full-screen client start-up (issue 5: under 500 ms to an interactive screen)"
  echo
  echo "Measured by \`scripts/tui-startup-bench.sh $RUNS\` on $(date -u +%Y-%m-%dT%H:%MZ): time from starting the"
  echo "command in a fresh 80x24 tmux pane until the login screen's title is on the pane (polled every 5 ms),"
  echo "$RUNS runs each. Key derivation is not included (it runs after the password is entered)."
  echo
  echo "- Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), load average at start $(cut -d' ' -f1-3 /proc/loadavg) (shared with other builds)"
  echo "- JVM: $(java -version 2>&1 | head -1)"
  echo
  echo "| What | ms (min, median, max) |"
  echo "|---|---|"
  echo "| tmux pane showing a line of text (the floor of this method) | $(stats "${baseline[@]}") |"
  echo "| \`scripts/sotto\` (bash launcher, build check, JVM, Lanterna, first frame) | $(stats "${full[@]}") |"
  echo "| \`java ... TuiMain\` directly | $(stats "${bare[@]}") |"
  echo
  echo "Raw (ms): scripts/sotto: ${full[*]}; java: ${bare[*]}; tmux floor: ${baseline[*]}."
} > "$OUT"
cat "$OUT"
