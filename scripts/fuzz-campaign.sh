#!/usr/bin/env bash
# Fuzz campaign: runs Jazzer in fuzzing mode on every @FuzzTest method of the project, one target
# per JVM (Jazzer fuzzes a single target per run), each for a fixed time, and writes a table of
# executions, new corpus entries and findings to bench/results/fuzz-campaign.md.
# Usage: scripts/fuzz-campaign.sh [SECONDS_PER_TARGET] [FILTER]   (default 120 s; FILTER is a
# substring of "Class#method" that limits the targets). Not part of `mvn verify`.
# Jazzer writes a crashing input as crash-<sha1> into the target's
# src/test/resources/<package>/<Class>Inputs/<method>/ directory when that directory exists in the
# test classpath; otherwise into the module directory, from where this script moves it there. Every
# input in that directory is replayed by the normal `mvn test` run, so a finding stays a regression
# input. New corpus entries accumulate in the git-ignored <module>/.cifuzz-corpus/.
# Each run uses about 3.5 GB of memory and one core.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-120}"
filter="${2:-}"
out="bench/results/fuzz-campaign.md"
logs="target/fuzz-campaign"
mkdir -p "$logs"
start=$(date -u +%Y-%m-%dT%H:%M:%SZ)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$(date +%s)

# module|fully.qualified.Class|method for every @FuzzTest method.
targets=()
while IFS= read -r file; do
  module="${file%%/src/test/java/*}"
  rel="${file#*/src/test/java/}"
  cls="${rel%.java}"
  cls="${cls//\//.}"
  while IFS= read -r method; do
    targets+=("$module|$cls|$method")
  done < <(awk '/@FuzzTest/ {want=1; next}
                want && match($0, /void [A-Za-z0-9_]+\(/) {
                  print substr($0, RSTART + 5, RLENGTH - 6); want=0 }' "$file")
done < <(grep -rl --include='*.java' '@FuzzTest' -- */src/test/java | sort)

count_files() { # number of regular files in $1 (0 when it does not exist)
  if [ -d "$1" ]; then find "$1" -maxdepth 1 -type f | wc -l; else echo 0; fi
}
findings_in() { # finding files Jazzer/libFuzzer write, in $1
  [ -d "$1" ] && find "$1" -maxdepth 1 -type f \
    \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | sort
}

echo "Compiling the fuzz tests' modules once..." >&2
modules=$(printf '%s\n' "${targets[@]}" | cut -d'|' -f1 | sort -u | paste -sd, -)
mvn -B -q -o -pl "$modules" -am test-compile -Dspotless.check.skip=true >&2 || exit 1

rows=()
total_findings=0
for t in "${targets[@]}"; do
  IFS='|' read -r module cls method <<<"$t"
  simple="${cls##*.}"
  [ -n "$filter" ] && [[ "$simple#$method" != *"$filter"* ]] && continue
  pkgpath="$(dirname "${cls//.//}")"
  inputs="$module/src/test/resources/$pkgpath/${simple}Inputs/$method"
  corpus="$module/.cifuzz-corpus/$cls/$method"
  log="$logs/$simple-$method.log"
  corpus_before=$(count_files "$corpus")
  before="$(findings_in "$inputs"; findings_in "$module")"
  echo "Fuzzing $simple#$method for ${seconds} s..." >&2
  JAZZER_FUZZ=1 JAZZER_MAX_DURATION="${seconds}s" \
    mvn -B -q -o -pl "$module" -am test -Dspotless.check.skip=true \
    -Dtest="$simple#$method" -Dsurefire.failIfNoSpecifiedTests=false >"$log" 2>&1
  rc=$?
  # Findings left in the module directory go next to the target's other regression inputs.
  while IFS= read -r f; do
    [ -n "$f" ] && mkdir -p "$inputs" && mv "$f" "$inputs/"
  done < <(findings_in "$module")
  new_findings=$(comm -13 <(printf '%s\n' "$before" | xargs -rn1 basename | sort -u) \
    <(findings_in "$inputs" | xargs -rn1 basename | sort -u) | paste -sd' ' -)
  # "Done N runs in S second(s)" at the end of a run; the last status line if it stopped early.
  execs=$(sed -n 's/^Done \([0-9]*\) runs in .*/\1/p' "$log" | tail -1)
  ran=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  if [ -z "$execs" ]; then
    execs=$(sed -n 's/^#\([0-9]*\)\t.*exec\/s.*/\1/p' "$log" | tail -1)
    ran=""
  fi
  execs="${execs:-0}"
  rate=$(awk -v n="$execs" -v s="${ran:-$seconds}" 'BEGIN { if (s > 0) printf "%d", n / s; else print "-" }')
  cov=$(sed -n 's/.*cov: \([0-9]*\) .*/\1/p' "$log" | tail -1)
  corpus_new=$(( $(count_files "$corpus") - corpus_before ))
  if [ -n "$new_findings" ]; then
    total_findings=$(( total_findings + $(wc -w <<<"$new_findings") ))
    found="$new_findings"
  elif [ "$rc" -ne 0 ]; then
    found="run failed (exit $rc), see $log"
    total_findings=$(( total_findings + 1 ))
  else
    found="0"
  fi
  rows+=("| $simple#$method | ${ran:-$seconds} | $execs | $rate | $corpus_new | ${cov:-?} | $found |")
  echo "  $execs execs, $corpus_new new corpus entries, findings: $found" >&2
done
took=$(( $(date +%s) - t0 ))

{
  echo "# Fuzz campaign (Jazzer)"
  echo
  echo "Run $start with \`scripts/fuzz-campaign.sh $seconds${filter:+ $filter}\` on $(nproc) cores"
  echo "($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1));"
  echo "took ${took} s in all (load average before the run: $load_before). Each target is fuzzed alone in its own Surefire JVM"
  echo "(\`JAZZER_FUZZ=1 JAZZER_MAX_DURATION=${seconds}s mvn test -Dtest=Class#method\`), starting from"
  echo "its seeds in \`src/test/resources/.../<Class>Inputs/<method>/\` and the corpus kept in the"
  echo "git-ignored \`<module>/.cifuzz-corpus/\`. Execs and seconds are libFuzzer's own count"
  echo "(\`Done N runs in S second(s)\`); new corpus entries = files added to the kept corpus by this"
  echo "run; cov = libFuzzer's last coverage figure. A finding is a crashing input Jazzer saved;"
  echo "it stays in the target's inputs directory as a regression input that \`mvn test\` replays."
  echo
  echo "| Target | Seconds | Execs | Execs/s | New corpus entries | Cov | Findings |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Targets: ${#rows[@]}; findings: $total_findings."
} >"$out"
echo "wrote $out" >&2
cat "$out"
