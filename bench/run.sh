#!/usr/bin/env bash
# One command per workload: starts the target pinned to one core, the load generator pinned to the
# other, runs the workload, stops the target, and appends the figures to bench/results/.
#
#   bench/run.sh w1|w2|w3|w4 sotto|relay|xmpp [load generator options...]
#   bench/run.sh build                      (package and write the classpath; done on first use)
#
# xmpp needs ejabberd configured once: bench/peer/ejabberd-setup.sh install && ... configure;
# this script starts it, creates the users the workload needs, and stops it again.
# Environment: SERVER_CPU (1), LOADGEN_CPU (0), LOADGEN_HEAP (512m), KEEP_LOGS (unset),
# SERVER_JAVA_OPTS and LOADGEN_JAVA_OPTS (extra JVM options, e.g. a flight recording),
# SOTTO_PORT (7443: the port the Sotto server listens on and the generator uses; set another one
# when someone else may be benchmarking on 7443).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
ROOT=$PWD
CP_FILE="$ROOT/bench/target/classpath.txt"
SERVER_CPU="${SERVER_CPU:-1}"
LOADGEN_CPU="${LOADGEN_CPU:-0}"
LOG_DIR="$ROOT/bench/target/run-logs"
SOTTO_PORT="${SOTTO_PORT:-7443}"
mkdir -p "$LOG_DIR"

build() {
  mvn -B -q -pl bench -am package -DskipTests -Dspotless.check.skip=true \
    dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >/dev/null
  echo "$ROOT/bench/target/classes:$(cat "$CP_FILE")" > "$CP_FILE.full"
  # The server runs on its own module's classpath (its logback.xml, nothing of the client's).
  echo "$(ls "$ROOT"/vertx-server/target/sotto-server-*.jar | head -1):$(cat "$ROOT/vertx-server/target/classpath.txt")" \
    > "$CP_FILE.server"
}

[ "${1:-}" = build ] && { build; exit 0; }
workload="${1:?usage: bench/run.sh w1|w2|w3|w4 sotto|relay|xmpp [options]}"
target="${2:?usage: bench/run.sh w1|w2|w3|w4 sotto|relay|xmpp [options]}"
shift 2
[ -f "$CP_FILE.full" ] || build
CP=$(cat "$CP_FILE.full")
SERVER_CP=$(cat "$CP_FILE.server")
ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# Options the script itself needs to know (user counts) are read from the arguments.
arg() { # $1 = option name, $2 = default
  local prev="" a
  for a in "${ARGS[@]}"; do
    [ "$prev" = "$1" ] && { echo "$a"; return; }
    prev="$a"
  done
  echo "$2"
}
ARGS=("$@")

server_pid=""
data_dir=""
cleanup() {
  if [ "$target" = xmpp ]; then
    "$ROOT/bench/peer/ejabberd-setup.sh" stop >/dev/null 2>&1 || true
  elif [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  [ -n "$data_dir" ] && rm -rf "$data_dir"
}
trap cleanup EXIT

wait_listening() { # $1 = log file
  for _ in $(seq 1 240); do
    grep -q '^listening on' "$1" 2>/dev/null && return 0
    kill -0 "$server_pid" 2>/dev/null || { cat "$1" >&2; echo "target died" >&2; exit 1; }
    sleep 0.25
  done
  echo "target did not start" >&2
  exit 1
}

case "$target" in
  sotto)
    data_dir=$(mktemp -d /tmp/sotto-bench.XXXXXX)
    # The per-account send limits are a policy against one user stalling the others; the workloads
    # measure capacity (W3's 10k backlog comes from one sender), so they are lifted here.
    XDG_DATA_HOME="$data_dir" HOME="$data_dir" taskset -c "$SERVER_CPU" \
      java ${SERVER_JAVA_OPTS:-} -cp "$SERVER_CP" dev.sotto.server.ServerMain --listen "127.0.0.1:$SOTTO_PORT" --data "$data_dir/server" \
      --send-burst-messages 1000000000 --send-messages-per-second 1000000000 \
      --send-burst-bytes 1073741824 --send-bytes-per-second 1000000000 \
      > "$LOG_DIR/sotto.log" 2>&1 &
    server_pid=$!
    wait_listening "$LOG_DIR/sotto.log"
    ;;
  relay)
    taskset -c "$SERVER_CPU" java -cp "$CP" dev.sotto.bench.relay.LimitRelay 127.0.0.1:7444 \
      > "$LOG_DIR/relay.log" 2>&1 &
    server_pid=$!
    wait_listening "$LOG_DIR/relay.log"
    ;;
  xmpp)
    "$ROOT/bench/peer/ejabberd-setup.sh" start "$SERVER_CPU"
    case "$workload" in
      w1|w2) n=$((2 * $(arg --pairs 500))) ;;
      w3) n=$(arg --offline-users 500) ;;
      w4) n=$(arg --idle 1000) ;;
      *) n=0 ;;
    esac
    "$ROOT/bench/peer/ejabberd-setup.sh" users "$n" "$(arg --prefix usr)"
    if [ "$workload" = w3 ]; then
      "$ROOT/bench/peer/ejabberd-setup.sh" users "$n" "$(arg --offline-prefix off)"
      if [ "$(arg --offline-warmup-messages 0)" != 0 ]; then # the warm-up rounds' own users
        for ((r = 0; r < $(arg --offline-warmup-rounds 1); r++)); do
          wu=wu; [ "$r" = 0 ] || wu="wu$r"
          "$ROOT/bench/peer/ejabberd-setup.sh" users "$n" "$wu$(arg --prefix usr)"
          "$ROOT/bench/peer/ejabberd-setup.sh" users "$n" "$wu$(arg --offline-prefix off)"
        done
      fi
    fi
    server_pid=$("$ROOT/bench/peer/ejabberd-setup.sh" pid)
    ;;
  *) echo "unknown target $target (sotto, relay, xmpp)" >&2; exit 2 ;;
esac

# W3 writes each recipient's client store under the run's directory (removed with it).
extra=()
[ "$target" = sotto ] && [ "$SOTTO_PORT" != 7443 ] && extra+=(--port "$SOTTO_PORT")
[ "$workload" = w3 ] && [ -n "$data_dir" ] && extra+=(--client-stores "$data_dir")
echo "target $target pid $server_pid on CPU $SERVER_CPU; load generator on CPU $LOADGEN_CPU"
taskset -c "$LOADGEN_CPU" java -Xmx"${LOADGEN_HEAP:-512m}" ${LOADGEN_JAVA_OPTS:-} -cp "$CP" dev.sotto.bench.load.LoadMain \
  --target "$target" --workload "$workload" --server-pid "$server_pid" "${extra[@]}" \
  "$@"
