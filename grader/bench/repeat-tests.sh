#!/usr/bin/env bash
# Runs the tests of every thread and async solution (Parts 4 and 5) many times in a row, to
# show they are deterministic: no sleeps, paused tokio time, channels and barriers.
#
#   bash grader/bench/repeat-tests.sh [RUNS]      e.g. bash grader/bench/repeat-tests.sh 20
#
# Prints one line per solution: how many runs passed, and the slowest run. Exits 1 if any
# run failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-20}
failed=0
for dir in solutions/04_*/*/ solutions/05_*/*/; do
  package=$(sed -n 's/^name = "\(.*\)"/\1/p' "$dir/Cargo.toml" | head -n 1)
  cargo test -q -p "$package" --no-run >/dev/null 2>&1
  passed=0
  slowest=0
  for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    if cargo test -q -p "$package" >/dev/null 2>&1; then
      passed=$((passed + 1))
    fi
    ms=$((($(date +%s%N) - start) / 1000000))
    ((ms > slowest)) && slowest=$ms
  done
  printf '%-32s %3d/%d passed   slowest run %5d ms\n' "$package" "$passed" "$runs" "$slowest"
  ((passed == runs)) || failed=1
done
exit "$failed"
