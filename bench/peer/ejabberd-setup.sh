#!/usr/bin/env bash
# ejabberd (Debian package) as the benchmark peer, configured for a fair comparison on one host:
# every listener on 127.0.0.1 (Erlang's distribution and epmd too), STARTTLS on (the package's
# self-signed certificate), no c2s traffic shaper, offline storage on with a raised
# max_user_offline_messages, a raised open-file limit and N Erlang schedulers that do not
# busy-wait (+sbwt none: otherwise /proc CPU overstates light load; the `util` command reads the
# scheduler utilisation as a cross-check).
#
# Usage (as root):
#   bench/peer/ejabberd-setup.sh install            apt-get install ejabberd if missing
#   bench/peer/ejabberd-setup.sh configure          write the settings below (originals kept as *.sotto-orig)
#   bench/peer/ejabberd-setup.sh start [CPU]        start pinned to CPU (default 0), wait until up
#   bench/peer/ejabberd-setup.sh users N [PREFIX]   create PREFIX0..PREFIX{N-1} (password BENCH_PASSWORD)
#   bench/peer/ejabberd-setup.sh pid                print the pid of the Erlang VM (beam.smp)
#   bench/peer/ejabberd-setup.sh util MS            scheduler utilisation over MS milliseconds (0..1)
#   bench/peer/ejabberd-setup.sh stop               stop it and wait until it is gone
#   bench/peer/ejabberd-setup.sh all N              install, configure, start, users N
# Environment: EJABBERD_SCHEDULERS (1), EJABBERD_MAX_OFFLINE (1000000), EJABBERD_NOFILE (20000),
# BENCH_PASSWORD (bench-password-0).
set -euo pipefail

CONF=/etc/ejabberd/ejabberd.yml
CTLCFG=/etc/ejabberd/ejabberdctl.cfg
DEFAULTS=/etc/default/ejabberd
SCHEDULERS="${EJABBERD_SCHEDULERS:-1}"
MAX_OFFLINE="${EJABBERD_MAX_OFFLINE:-1000000}"
NOFILE="${EJABBERD_NOFILE:-20000}"
PASSWORD="${BENCH_PASSWORD:-bench-password-0}"
NODE=ejabberd@localhost
export ERL_EPMD_ADDRESS=127.0.0.1

die() { echo "ejabberd-setup: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root (ejabberdctl switches to the ejabberd user itself)"

install() {
  if ! command -v ejabberdctl >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y ejabberd
  fi
  ejabberdctl help >/dev/null 2>&1 || true
}

keep_original() { [ -f "$1.sotto-orig" ] || cp -p "$1" "$1.sotto-orig"; }

configure() {
  command -v ejabberdctl >/dev/null 2>&1 || die "ejabberd is not installed: run '$0 install'"
  for f in "$CONF" "$CTLCFG" "$DEFAULTS"; do keep_original "$f"; done
  # Always start from the package's files, so running configure twice gives the same result.
  cp -p "$CONF.sotto-orig" "$CONF"
  cp -p "$CTLCFG.sotto-orig" "$CTLCFG"
  cp -p "$DEFAULTS.sotto-orig" "$DEFAULTS"
  # Every listener (c2s 5222/5223, s2s 5269, http 5280/5443, stun 3478/udp, mqtt 1883) on loopback.
  sed -i -E 's/^(\s+)ip: "::"/\1ip: "127.0.0.1"/' "$CONF"
  # No c2s shaper for anyone (the default throttles each client to 3,000 B/s).
  sed -i -E '/^  c2s_shaper:/,/^  [a-z_]+:/ s/^(\s+)normal: all/\1none: all/' "$CONF"
  # Offline storage above what the offline workload stores.
  sed -i -E '/^  max_user_offline_messages:/,/^  [a-z_]+:/ s/^(\s+)100: all/\1'"$MAX_OFFLINE"': all/' "$CONF"
  # A listen backlog that takes a burst of logins (the default is 5).
  sed -i -E 's/^(\s+)port: 5222$/\1port: 5222\n\1backlog: 1024/' "$CONF"
  grep -q 'ip: "::"' "$CONF" && die "a listener still binds ::"
  grep -A3 '^  c2s_shaper:' "$CONF" | grep -q 'none: all' || die "c2s_shaper not changed"
  grep -A3 '^  max_user_offline_messages:' "$CONF" | grep -q "$MAX_OFFLINE: all" \
    || die "max_user_offline_messages not changed"
  local extra
  extra=$(printf '%s\n' \
    '# Added by sotto bench/peer/ejabberd-setup.sh' \
    'INET_DIST_INTERFACE=127.0.0.1' \
    'ERL_EPMD_ADDRESS=127.0.0.1' \
    'export ERL_EPMD_ADDRESS' \
    "ERL_OPTIONS=\"-env ERL_CRASH_DUMP_BYTES 0 +S $SCHEDULERS:$SCHEDULERS +SDcpu 1:1 +SDio 1 +sbwt none +sbwtdcpu none +sbwtdio none\"" \
    'ERL_MAX_PORTS=65536')
  printf '%s\n' "$extra" >> "$CTLCFG"
  printf '%s\n' "$extra" >> "$DEFAULTS"
  echo "configured: loopback only, STARTTLS required on 5222, c2s_shaper none," \
    "max_user_offline_messages $MAX_OFFLINE, $SCHEDULERS scheduler(s)"
}

running() { ejabberdctl status >/dev/null 2>&1; }

start() {
  local cpu="${1:-0}"
  running && die "already running (stop it first)"
  ulimit -n "$NOFILE"
  # Started as the ejabberd user without su: run as root, ejabberdctl switches users through su,
  # whose PAM session put the VM's soft open-files limit back to 1,024, and ejabberd died near
  # 1,000 STARTTLS clients (measured 2026-12-07: /proc/<pid>/limits said 1024 / 20000).
  HOME=/var/lib/ejabberd taskset -c "$cpu" \
    setpriv --reuid=ejabberd --regid=ejabberd --init-groups ejabberdctl start
  for _ in $(seq 1 120); do
    running && break
    sleep 0.5
  done
  running || die "did not start; see /var/log/ejabberd/ejabberd.log"
  local soft
  soft=$(awk '/Max open files/ {print $4}' "/proc/$(vm_pid)/limits")
  [ "$soft" -ge "$NOFILE" ] || die "ejabberd's open-files limit is $soft, not $NOFILE"
  echo "ejabberd up, pid $(vm_pid), pinned to CPU $cpu, open files $soft"
}

vm_pid() { pgrep -u ejabberd -f 'beam.smp.*ejabberd' | head -1; }

rpc() { # $1 = Erlang expression evaluated by a hidden node next to ejabberd
  local cookie
  cookie=$(cat /var/lib/ejabberd/.erlang.cookie)
  (cd /tmp && ERL_CRASH_DUMP_BYTES=0 timeout 120 erl -noshell -hidden -sname "sottobench$$" -setcookie "$cookie" \
    -eval "N='$NODE', R = ($1), io:format(\"~p~n\", [R]), init:stop().")
}

users() {
  local n="$1" prefix="${2:-u}"
  running || die "not running"
  # One Erlang RPC for all users (ejabberdctl register costs about 0.5 s per call).
  rpc "length([ok || I <- lists:seq(0, $n - 1),
        begin U = list_to_binary(\"$prefix\" ++ integer_to_list(I)),
          ok =:= rpc:call(N, ejabberd_auth, try_register, [U, <<\"localhost\">>, <<\"$PASSWORD\">>])
          orelse rpc:call(N, ejabberd_auth, user_exists, [U, <<\"localhost\">>]) end])" \
    | sed "s/^/users ${prefix}0..${prefix}$((n - 1)) ready: /"
}

util() {
  local ms="${1:-1000}"
  running || die "not running"
  # Average busy fraction of the normal schedulers over the interval (the VM busy-waits, so /proc
  # CPU overstates light load).
  local s=$(( (ms + 999) / 1000 ))
  rpc "element(2, hd(rpc:call(N, scheduler, utilization, [$s], $((s * 1000 + 5000)))))"
}

stop() {
  if running; then
    ejabberdctl stop >/dev/null || true
    ejabberdctl stopped >/dev/null 2>&1 || true
  fi
  for _ in $(seq 1 60); do
    [ -z "$(vm_pid)" ] && break
    sleep 0.5
  done
  [ -z "$(vm_pid)" ] || die "still running (pid $(vm_pid))"
  echo "ejabberd stopped"
}

cmd="${1:-}"
shift || true
case "$cmd" in
  install) install ;;
  configure) configure ;;
  start) start "${1:-0}" ;;
  users) users "${1:?N}" "${2:-u}" ;;
  pid) vm_pid ;;
  util) util "${1:-1000}" ;;
  stop) stop ;;
  all) install; configure; start 0; users "${1:-1000}" u ;;
  *) sed -n '2,20p' "$0"; exit 2 ;;
esac
