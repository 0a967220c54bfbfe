#!/usr/bin/env bash
# End-to-end test of the full-screen client: the real server (invite-only) and two real TUI clients
# (scripts/sotto, real Argon2id cost) in tmux panes of 100x30. alice and bob register with invite codes,
# accept the server's fingerprint on first use, chat online (ticks, read marks, unread counts), then
# offline (bob quits; alice's message waits in the mailbox; bob starts again and reads it). Each step
# waits for the expected text in a pane (tmux capture-pane -p); the final screens are compared line by
# line with scripts/tui-e2e-expected/*.txt after masking times, dates and the port.
# Exit status: 0 when every pane matched, 1 on the first mismatch (the pane is printed).
# (The server takes INVITE in capitals: picocli reads a lower-case "invite" as its subcommand.)
# Everything runs under a temporary HOME and is killed at the end. Usage: scripts/tui-e2e.sh [--keep]
#   SOTTO_E2E_UPDATE=1 rewrites the expected files from this run (check them with git diff).
set -euo pipefail
HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
ROOT=$(cd "$HERE/.." && pwd)
EXPECTED="$HERE/tui-e2e-expected"
KEEP=${1:-}
BASE=$(mktemp -d /tmp/sotto-e2e.XXXXXX)
SOCK="sotto-e2e-$$"
PORT=$(( 20000 + RANDOM % 20000 ))
T() { tmux -L "$SOCK" "$@"; }
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
  fi
  T kill-server 2>/dev/null || true
  if [ "$KEEP" != --keep ]; then rm -rf "$BASE"; fi
}
trap cleanup EXIT

log() { printf 'tui-e2e: %s\n' "$*" >&2; }
fail() {
  log "FAIL: $*"
  for p in alice bob; do
    if T has-session -t "$p" 2>/dev/null; then echo "----- pane $p -----" >&2; T capture-pane -p -t "$p" >&2; fi
  done
  echo "----- server log (tail) -----" >&2; tail -5 "$BASE/server.log" >&2 || true
  exit 1
}
pane() { T capture-pane -p -t "$1"; }
# wait_for PANE TEXT [SECONDS]: until the pane shows TEXT (a fixed string).
wait_for() {
  local p=$1 text=$2 secs=${3:-30} end=$(( $(date +%s) + ${3:-30} ))
  while [ "$(date +%s)" -lt "$end" ]; do
    if pane "$p" | grep -qF -- "$text"; then return 0; fi
    sleep 0.1
  done
  fail "pane $p never showed: $text (waited ${secs}s)"
}
# wait_row PANE TEXT MARK: until the pane's row holding TEXT also holds MARK.
wait_row() {
  local p=$1 text=$2 mark=$3 end=$(( $(date +%s) + 30 ))
  while [ "$(date +%s)" -lt "$end" ]; do
    if pane "$p" | grep -F -- "$text" | grep -qF -- "$mark"; then return 0; fi
    sleep 0.1
  done
  fail "pane $p: the row with '$text' never showed '$mark'"
}
keys() { T send-keys -t "$1" "${@:2}"; }
text() { T send-keys -t "$1" -l -- "$2"; }
line() { text "$1" "$2"; keys "$1" Enter; }
# Masks what changes from run to run: clock times, dates, the port, the server's fingerprint.
normalize() {
  sed -E -e "s/127\.0\.0\.1:$PORT/127.0.0.1:PORT/g" \
         -e 's/\b[0-2][0-9]:[0-5][0-9]\b/HH:MM/g' \
         -e 's/(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [0-9]{1,2} [A-Z][a-z]{2} [0-9]{4}/DAY DD MON YYYY/g' \
         -e 's/sha256:[0-9a-f]{64}/sha256:FINGERPRINT/g' \
         -e 's/[[:space:]]+$//'
}
# compare PANE NAME: the normalized pane must equal scripts/tui-e2e-expected/NAME.txt.
compare() {
  local p=$1 name=$2 got="$BASE/$2.txt"
  pane "$p" | normalize > "$got"
  if [ "${SOTTO_E2E_UPDATE:-}" = 1 ]; then
    mkdir -p "$EXPECTED"; cp "$got" "$EXPECTED/$name.txt"; log "updated $EXPECTED/$name.txt"; return 0
  fi
  if ! diff -u "$EXPECTED/$name.txt" "$got" >&2; then fail "screen '$name' differs from $EXPECTED/$name.txt"; fi
  log "screen '$name' matches"
}

log "building (if needed)"
"$HERE/sotto" --help >/dev/null
"$HERE/sotto-server" --help >/dev/null

log "server on 127.0.0.1:$PORT, invite-only, data in $BASE/server"
export HOME="$BASE/server-home"
mkdir -p "$HOME"
INVITE_A=$("$HERE/sotto-server" invite create --data "$BASE/server" 2>/dev/null | tail -1)
INVITE_B=$("$HERE/sotto-server" invite create --data "$BASE/server" 2>/dev/null | tail -1)
"$HERE/sotto-server" --listen "127.0.0.1:$PORT" --data "$BASE/server" --registration INVITE \
  >"$BASE/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 150); do grep -q '^fingerprint' "$BASE/server.log" && break; sleep 0.2; done
FP=$(sed -n 's/^fingerprint sha256-spki //p' "$BASE/server.log")
[ -n "$FP" ] || fail "the server did not start"
log "server fingerprint $FP"

start_client() { # $1 = name
  mkdir -p "$BASE/$1"
  T new -d -s "$1" -x 100 -y 30 \
    "env -i HOME=$BASE/$1 PATH=$PATH LANG=C.UTF-8 TERM=xterm-256color SOTTO_AWAY_MINUTES=0 SOTTO_BELL=off $HERE/sotto"
  T set -t "$1" remain-on-exit on
}
register() { # $1 = name, $2 = password, $3 = invite
  local n=$1
  start_client "$n"
  wait_for "$n" "Sotto - end-to-end encrypted chat" 20
  text "$n" "127.0.0.1:$PORT"; keys "$n" Tab; text "$n" "$n"; keys "$n" Tab; text "$n" "$2"
  keys "$n" Tab Right Enter
  wait_for "$n" "First connection to 127.0.0.1:$PORT."
  wait_for "$n" "sha256:$FP"          # the same fingerprint the server printed
  [ "$n" = alice ] && compare "$n" first-use
  keys "$n" y
  wait_for "$n" "takes new accounts by invite only"
  line "$n" "$3"
  wait_for "$n" "$n@127.0.0.1:$PORT │ connected" 30
  pane "$n" | grep -qF -- "$2" && fail "the password is visible in pane $n"
  log "$n registered"
}

if [ -z "${INVITE_A}" ] || [ -z "${INVITE_B}" ]; then fail "no invite codes"; fi
T start-server 2>/dev/null || true
register alice "alice's password 1" "$INVITE_A"
register bob "bob's long password" "$INVITE_B"

log "online chat"
line alice "!talk bob"
wait_for alice "[1:bob]"
line alice "hello bob, can you read this?"
wait_row alice "hello bob, can you read this?" "✓✓"      # stored, then delivered to bob's client
wait_for bob "1 ● alice"
wait_row bob "1 ● alice" "1│"                              # one unread in bob's list
keys bob M-1
wait_for bob "hello bob, can you read this?"
wait_row alice "hello bob, can you read this?" "●●"       # bob read it
line bob "yes! end-to-end encrypted, loud and clear"
wait_for alice "yes! end-to-end encrypted, loud and clear"
line bob "@alice this one goes to you from the status line"
wait_for alice "this one goes to you from the status line"

log "offline chat"
line bob "!exit"
wait_for alice "1 ○ bob"                                  # bob went offline
line alice "are you still there? (sent while you were offline)"
wait_row alice "are you still there?" "✓"
pane alice | grep -F "are you still there?" | grep -qF "✓✓" && fail "delivered to an offline client?"
compare alice alice-while-bob-offline

T respawn-pane -k -t bob \
  "env -i HOME=$BASE/bob PATH=$PATH LANG=C.UTF-8 TERM=xterm-256color SOTTO_AWAY_MINUTES=0 SOTTO_BELL=off $HERE/sotto"
wait_for bob "Sotto - end-to-end encrypted chat" 20
line bob "bob's long password"                             # server and user are prefilled
wait_for bob "bob@127.0.0.1:$PORT │ connected" 30
wait_for bob "are you still there? (sent while you were offline)"
wait_row alice "are you still there?" "●●"
line bob "back now"
wait_for alice "back now"
wait_row bob "back now" "●●"
compare alice alice-main
compare bob bob-main
pane alice | sed -E "s/[[:space:]]+$//" > "$ROOT/bench/results/tui-e2e-alice-main.txt"   # the capture README shows

log "quitting"
line alice "!exit"
line bob "!exit"
sleep 1
for p in alice bob; do
  T list-panes -t "$p" -F '#{pane_dead} #{pane_dead_status}' | grep -q '^1 0$' || fail "client $p did not exit with status 0"
done
log "PASS: two TUI clients registered by invite, chatted online and offline through the real server"
