#!/usr/bin/env bash
# Runs `npm test` three times in a row while two CPU-bound processes compete for
# the machine, and reports each run's result, wall time and load average. Every
# run must pass: no test's verdict may depend on the machine's speed.
#
#   scripts/stress-tests.sh            # or: npm run test:stress
#   RUNS=5 HOGS=4 scripts/stress-tests.sh
#
# The CPU hogs are stopped at the end, on failure, on Ctrl-C and on SIGTERM (which
# also stops the test run at once); killed outright, the script leaves hogs that
# end by themselves once it is gone.
set -uo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-3}
hogs=${HOGS:-2}
hog_pids=()
tests_pid=""

stop_hogs() {
  [ -n "$tests_pid" ] && kill "$tests_pid" 2>/dev/null
  for pid in "${hog_pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${hog_pids[@]}"; do wait "$pid" 2>/dev/null; done
  hog_pids=()
}
trap stop_hogs EXIT
trap 'echo; echo "stress-tests: interrupted"; exit 130' INT TERM

# Fetch and generate once up front, so the runs time the tests alone.
npm run --silent prepare:sdk || { echo "stress-tests: npm run prepare:sdk failed"; exit 1; }

for _ in $(seq "$hogs"); do
  # Busy, but it looks up every so often whether this script ($$, named here in case the
  # script is gone before node starts) is still there.
  node -e 'const script = Number(process.argv[1]); for (;;) { for (let i = 0; i < 1e8; i++); try { process.kill(script, 0); } catch { process.exit(0); } }' "$$" &
  hog_pids+=("$!")
done
echo "stress-tests: $hogs CPU-bound processes started (pids ${hog_pids[*]}); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"

mkdir -p .tmp
failures=0
summary=()
for run in $(seq "$runs"); do
  log=".tmp/stress-run-$run.log"
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  started=$(date +%s.%N)
  # vitest directly (npm test's pretest already ran above), with its summary kept in the log.
  # In the background so that a signal is handled now, not once the run is over.
  npx vitest run >"$log" 2>&1 &
  tests_pid=$!
  wait "$tests_pid"
  status=$?
  tests_pid=""
  seconds=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.0f", e - s }')
  load_after=$(cut -d' ' -f1-3 /proc/loadavg)
  tests=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^ +Tests ' | tail -1 | sed -E 's/^ +Tests +//')
  if [ "$status" -eq 0 ]; then verdict="passed"; else verdict="FAILED"; failures=$((failures + 1)); fi
  line="run $run: $verdict in ${seconds} s (${tests:-no summary}); load average before $load_before, after $load_after; log $log"
  summary+=("$line")
  echo "stress-tests: $line"
  if [ "$status" -ne 0 ]; then
    sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^ (FAIL|×)|^ +× ' | head -20
  fi
done

stop_hogs
echo
echo "stress-tests: $runs runs of npm test beside $hogs CPU-bound processes:"
printf '  %s\n' "${summary[@]}"
[ "$failures" -eq 0 ] && echo "stress-tests: all passed" || echo "stress-tests: $failures of $runs runs failed"
[ "$failures" -eq 0 ]
