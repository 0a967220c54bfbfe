#!/usr/bin/env bash
# A LAN in one box: the server and two clients (alice, bob) each in their own network namespace,
# joined by veth pairs on a bridge, so they talk over real addresses (10.77.0.0/24) as on a LAN.
# Registers both users, sends a message each way with the non-interactive CLI, and checks that each
# side received the other's text. Needs root (ip netns). Exit 0 only if both messages arrived.
#
#   sudo scripts/lan-netns-demo.sh            # leaves nothing behind
#   KEEP=1 sudo scripts/lan-netns-demo.sh     # keep the work directory (logs, homes) for a look
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
NET=10.77.0
BR=sottobr0
NS=(sotto-srv sotto-alice sotto-bob)
ADDR=("$NET.1" "$NET.2" "$NET.3")
WORK=$(mktemp -d /tmp/sotto-lan.XXXXXX)
SERVER_PID=

log() { echo "lan-demo: $*" >&2; }

cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  for i in 0 1 2; do ip netns del "${NS[$i]}" 2>/dev/null || true; done
  ip link del "$BR" 2>/dev/null || true
  if [ -z "${KEEP:-}" ]; then rm -rf "$WORK"; else log "kept $WORK"; fi
}
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] || { echo "lan-demo: needs root for ip netns" >&2; exit 1; }

# Build both launchers up front, outside the namespaces (the build may need Maven Central).
"$ROOT/scripts/sotto-server" --help >/dev/null
"$ROOT/scripts/sotto" --help >/dev/null

log "network: bridge $BR, $NET.0/24"
ip link add "$BR" type bridge
ip link set "$BR" up
for i in 0 1 2; do
  ns=${NS[$i]}
  ip netns add "$ns"
  ip link add "veth$i" type veth peer name eth0 netns "$ns"
  ip link set "veth$i" master "$BR" up
  ip -n "$ns" addr add "${ADDR[$i]}/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
done

log "server in ${NS[0]} on ${ADDR[0]}:7443"
ip netns exec "${NS[0]}" env HOME="$WORK/server-home" "$ROOT/scripts/sotto-server" \
  --listen 0.0.0.0:7443 --data "$WORK/server-data" --registration open >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 150); do grep -q '^fingerprint' "$WORK/server.log" && break; sleep 0.2; done
FP=$(sed -n 's/^fingerprint sha256-spki //p' "$WORK/server.log")
[ -n "$FP" ] || { log "server did not start:"; cat "$WORK/server.log" >&2; exit 1; }

# client NAME NSINDEX ARGS...: runs the CLI for NAME inside its namespace with its own HOME.
client() {
  local name=$1 idx=$2
  shift 2
  ip netns exec "${NS[$idx]}" env HOME="$WORK/$name-home" SOTTO_PASSWORD="pw-$name-correct-horse" \
    "$ROOT/scripts/sotto" "$@"
}

for pair in "alice 1" "bob 2"; do
  set -- $pair
  log "register $1 from ${ADDR[$2]}"
  client "$1" "$2" register --server "${ADDR[0]}:7443" --user "$1" --trust "$FP"
done

A2B="hello bob, from alice over the LAN $RANDOM"
B2A="hi alice, bob here $RANDOM"
log "alice -> bob"
client alice 1 send bob "$A2B"
client bob 2 receive --timeout 15 >"$WORK/bob.out"
log "bob -> alice"
client bob 2 send alice "$B2A"
client alice 1 receive --timeout 15 >"$WORK/alice.out"

ok=0
grep -qF "$A2B" "$WORK/bob.out" && log "bob received alice's message" || { log "bob did NOT receive it:"; cat "$WORK/bob.out" >&2; ok=1; }
grep -qF "$B2A" "$WORK/alice.out" && log "alice received bob's message" || { log "alice did NOT receive it:"; cat "$WORK/alice.out" >&2; ok=1; }
if grep -qF "$A2B" -r "$WORK/server-data" 2>/dev/null; then log "plaintext found in the server's data directory"; ok=1; fi
[ $ok -eq 0 ] && log "PASS: one message each way between namespaces" || log "FAIL"
exit $ok
