#!/usr/bin/env bash
# The bad-input catalogue: starts a real sotto-server (fresh data directory, port 7460, -Xmx512m,
# pinned to one core), runs dev.sotto.bench.abuse.BadInputMain against it (pinned to the other core)
# while a few legitimate users chat, and writes bench/results/bad-input.md. Not part of `mvn verify`.
#
#   bench/bad-input.sh [BadInputMain options...]      (--only NAME runs the matching cases only)
#
# Environment: PORT (7460), SERVER_CPU (1), TOOL_CPU (0), SERVER_HEAP (512m), RSS_BUDGET_MIB (896).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
ROOT=$PWD
CP_FILE="$ROOT/bench/target/classpath.txt"
PORT="${PORT:-7460}"
SERVER_CPU="${SERVER_CPU:-1}"
TOOL_CPU="${TOOL_CPU:-0}"
SERVER_HEAP="${SERVER_HEAP:-512m}"
RSS_BUDGET_MIB="${RSS_BUDGET_MIB:-896}"
LOG_DIR="$ROOT/bench/target/run-logs"
LOG="$LOG_DIR/bad-input-server.log"
mkdir -p "$LOG_DIR"
[ -f "$CP_FILE.full" ] || "$ROOT/bench/run.sh" build
# 5,000 half-open connections plus the rest need more than the usual 1,024 descriptors.
ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)"

data_dir=$(mktemp -d /tmp/sotto-bad-input.XXXXXX)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$data_dir"
}
trap cleanup EXIT

XDG_DATA_HOME="$data_dir" HOME="$data_dir" taskset -c "$SERVER_CPU" \
  java -Xmx"$SERVER_HEAP" -cp "$(cat "$CP_FILE.server")" dev.sotto.server.ServerMain \
  --listen "127.0.0.1:$PORT" --data "$data_dir/server" > "$LOG" 2>&1 &
server_pid=$!
for _ in $(seq 1 240); do
  grep -q '^listening on' "$LOG" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$LOG" >&2; echo "server died" >&2; exit 1; }
  sleep 0.25
done
grep -q '^listening on' "$LOG" || { echo "server did not start" >&2; exit 1; }
echo "server pid $server_pid on CPU $SERVER_CPU, port $PORT, -Xmx$SERVER_HEAP; tool on CPU $TOOL_CPU"

status=0
taskset -c "$TOOL_CPU" java -Xmx512m -cp "$(cat "$CP_FILE.full")" dev.sotto.bench.abuse.BadInputMain \
  --port "$PORT" --server-pid "$server_pid" --server-heap "$SERVER_HEAP" \
  --rss-budget-mib "$RSS_BUDGET_MIB" --server-log "$LOG" "$@" || status=$?
kill -0 "$server_pid" 2>/dev/null || echo "the server is no longer running" >&2

exit "$status"
