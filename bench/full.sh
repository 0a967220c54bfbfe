#!/usr/bin/env bash
# The issue's sizes, every workload, Sotto beside the limit relay and ejabberd, in one go (about
# 40 minutes on 2 cores). Each run appends its row(s) to bench/results/. Run it on a quiet machine:
# the note records the load average at the start so that a noisy run can be told apart.
#   bench/full.sh [w1|w2|w3|w4 ...]     (default: all four)
set -uo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
note="${NOTE:-full size (load avg $(cut -d' ' -f1 /proc/loadavg) at start)}"
workloads=("${@:-w1 w2 w3 w4}")
# shellcheck disable=SC2068
for w in ${workloads[@]}; do
  for t in relay sotto xmpp; do
    case "$w" in
      # the same fixed rate for all three (ejabberd keeps p99 < 5 ms up to about 4k msg/s here)
      w1) bench/run.sh w1 "$t" --rate "${W1_RATE:-4000}" --warmup 30 --duration 10 --note "$note" ;;
      w2) bench/run.sh w2 "$t" --rates 1000,2000,4000,8000,16000,24000,32000,48000,64000 \
            --prewarm 30 --warmup 3 --duration 5 --note "$note" ;;
      w3) [ "$t" = relay ] && continue
          bench/run.sh w3 "$t" --note "$note"
          bench/run.sh w3 "$t" --offline-users 1 --messages 10000 --note "$note; 10k backlog" ;;
      w4) bench/run.sh w4 "$t" --idle "${W4_IDLE:-9000}" --note "$note" ;;
    esac 2>&1 | grep -E '^W[1-4] |^load generator io|Exception|Caused|died|INVALID'
  done
done
