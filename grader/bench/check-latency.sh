#!/usr/bin/env bash
# How long `cargo grade check` takes to give a verdict after a learner edits src/lib.rs, and how
# much of that is the grader's own overhead over the bare cargo commands it runs.
#
#   bash grader/bench/check-latency.sh [STEP-FOLDER] [RUNS]
#   e.g. bash grader/bench/check-latency.sh 01_borrowing/01_split_fields 5   (the defaults)
#
# Each run appends a comment to the step's src/lib.rs (so cargo must rebuild the library and
# the test binary, as after a real edit) and times, in turn, interleaved so that a noisy
# machine slows each alike:
#   grade  - `cargo grade check STEP`, exactly what a learner runs: after the first check of the
#            step it runs the compiler commands cargo ran for that check itself, without cargo
#            (see grader/src/rebuild.rs);
#   grade-cargo - the same with `GRADER_REBUILD=cargo`: cargo builds every time;
#   bare   - the same cargo command the grader runs, started by hand the same way: the tests
#            through cargo-nextest, built with clippy's driver in rustc's place (one build
#            lints and makes the tests), started directly (not through `cargo` and rustup's
#            proxies), with the workspace metadata the grader keeps. `cargo grade` itself goes
#            through `cargo run`, whose own up-to-date check (about 0.1 s here) counts as
#            overhead.
#   floor  - `cargo test -p PACKAGE`: the build and one run of the tests, no clippy and no test
#            in a process of its own; no grader can give a verdict in less.
#   rustlings - in the solved case, side by side, `rustlings run` on its first quiz after an
#            edit, when rustlings is installed (`cargo install rustlings`); skipped, saying so,
#            when it is not.
# Then, with the starter and `cargo grade watch` already running on the step, it times from
# the save to the verdict on screen (no `cargo run` in this loop; the watcher's debounce
# counts).
# It prints the median of each and the differences. The step's src/lib.rs and the learner's
# progress file are restored at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${1:-01_borrowing/01_split_fields}
runs=${2:-5}
step=$dir
package=${dir#*/[0-9][0-9]_}
src="exercises/$dir/src"
lib="$src/lib.rs"
backup=$(mktemp -d)
cp -R "$src" "$backup/src"
progress=.grader/progress.json
[ -f "$progress" ] && cp "$progress" "$backup/progress.json"
watcher=
restore() {
  [ -n "$watcher" ] && kill "$watcher" 2>/dev/null && wait "$watcher" 2>/dev/null
  rm -rf "$src"
  cp -R "$backup/src" "$src"
  if [ -f "$backup/progress.json" ]; then cp "$backup/progress.json" "$progress"; else rm -f "$progress"; fi
  rm -rf "$backup"
}
trap restore EXIT

# Warm every build once so each run measures an edit, not a first build.
cargo build -q -p grader
cargo grade check "$step" >/dev/null 2>&1 || true

now() { date +%s%N; }
ms_since() { echo $((($(now) - $1) / 1000000)); }
edit() { printf '// edit %s\n' "$1-$RANDOM" >>"$lib"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# The cargo and nextest programs the grader starts directly when run as `cargo grade`.
toolchain_cargo=$(rustup which cargo 2>/dev/null || command -v cargo)
toolchain_bin=$(dirname "$toolchain_cargo")
metadata="target/grader/metadata/$package.json"

bare() {
  CARGO=$toolchain_cargo RUSTC=$toolchain_bin/rustc RUST_BACKTRACE=0 NEXTEST_DOUBLE_SPAWN=0 \
    RUSTC_WORKSPACE_WRAPPER=$toolchain_bin/clippy-driver CLIPPY_ARGS=--no-deps__CLIPPY_HACKERY__ \
    cargo-nextest nextest run -p "$package" --no-tests pass --no-fail-fast \
    --cargo-metadata "$metadata" >/dev/null 2>&1 || true
}

measure() {
  local state=$1 with_rustlings=${2:-} grade_times=() bare_times=() floor_times=()
  local rustlings_times=() cargo_times=() start grade bare floor by_cargo
  cargo grade check "$step" >/dev/null 2>&1 || true
  for i in $(seq "$runs"); do
    edit "$i-grade"
    start=$(now)
    cargo grade check "$step" >/dev/null 2>&1 || true
    grade_times+=("$(ms_since "$start")")

    edit "$i-grade-cargo"
    start=$(now)
    GRADER_REBUILD=cargo cargo grade check "$step" >/dev/null 2>&1 || true
    cargo_times+=("$(ms_since "$start")")

    edit "$i-bare"
    start=$(now)
    bare
    bare_times+=("$(ms_since "$start")")

    edit "$i-floor"
    start=$(now)
    cargo test -q -p "$package" >/dev/null 2>&1 || true
    floor_times+=("$(ms_since "$start")")

    if [ -n "$with_rustlings" ]; then
      printf '// edit %s\n' "$i-$RANDOM" >>"$rustlings_exercise"
      start=$(now)
      (cd "$rustlings_dir" && rustlings run quiz1 >/dev/null 2>&1) || true
      rustlings_times+=("$(ms_since "$start")")
    fi
  done
  grade=$(printf '%s\n' "${grade_times[@]}" | median)
  bare=$(printf '%s\n' "${bare_times[@]}" | median)
  floor=$(printf '%s\n' "${floor_times[@]}" | median)
  by_cargo=$(printf '%s\n' "${cargo_times[@]}" | median)
  printf '%s: step %s, %s runs after an edit to src/lib.rs\n' "$state" "$step" "$runs"
  printf '  cargo grade check  median %4d ms   runs (ms): %s\n' "$grade" "${grade_times[*]}"
  printf '  same, cargo builds median %4d ms   runs (ms): %s\n' "$by_cargo" "${cargo_times[*]}"
  printf '  bare cargo         median %4d ms   runs (ms): %s\n' "$bare" "${bare_times[*]}"
  printf '  floor (cargo test) median %4d ms   runs (ms): %s\n' "$floor" "${floor_times[*]}"
  printf '  cargo grade check - bare cargo: %+d ms\n' "$((grade - bare))"
  if [ -n "$with_rustlings" ]; then
    local rustlings
    rustlings=$(printf '%s\n' "${rustlings_times[@]}" | median)
    printf '  %s (quiz1 solved) median %4d ms   runs (ms): %s\n' "$(rustlings --version)" \
      "$rustlings" "${rustlings_times[*]}"
    printf '  cargo grade check - rustlings: %+d ms\n' "$((grade - rustlings))"
  fi
}

# Save to verdict under `cargo grade watch`: each edit must bring one more "Watching" line,
# which the watcher prints after each verdict. Compare it with the starter's `floor` above: a
# `cargo test` of its own here would wake the watcher and share cargo's build lock with it.
measure_watch() {
  local times=() fifo="$backup/watch.fifo" start
  cargo grade goto "$step" >/dev/null
  # The watcher writes into a pipe that this script reads line by line, blocked until a line
  # comes: a loop that polled a file with `grep` and `sleep` every few milliseconds took a
  # core's share of two from the check it was timing.
  mkfifo "$fifo"
  # Through `cargo grade`, as a learner starts it (cargo replaces itself with the grader).
  cargo grade watch >"$fifo" 2>&1 &
  watcher=$!
  exec 3<"$fifo"
  next_verdict() { local line; while IFS= read -r line <&3; do [[ $line == Watching* ]] && return; done; }
  next_verdict
  for i in $(seq "$runs"); do
    start=$(now)
    edit "$i-watch"
    next_verdict
    times+=("$(ms_since "$start")")
  done
  kill "$watcher"
  exec 3<&-
  wait "$watcher" 2>/dev/null || true
  watcher=
  printf 'watch: step %s, %s saves of src/lib.rs (tests fail)\n' "$step" "$runs"
  printf '  save to verdict    median %4d ms   runs (ms): %s\n' \
    "$(printf '%s\n' "${times[@]}" | median)" "${times[*]}"
}

# rustlings, when installed: its own exercises in a scratch folder, the first quiz solved, so
# that `rustlings run quiz1` builds, runs the tests and reports a pass, as `cargo grade check`
# does on a solved step.
rustlings_dir=
rustlings_exercise=
if command -v rustlings >/dev/null 2>&1; then
  mkdir -p "$backup/rustlings"
  (cd "$backup/rustlings" && rustlings init </dev/null >/dev/null 2>&1) || true
  rustlings_dir="$backup/rustlings/rustlings"
  rustlings_exercise="$rustlings_dir/exercises/quizzes/quiz1.rs"
  cp "$rustlings_dir/solutions/quizzes/quiz1.rs" "$rustlings_exercise"
  (cd "$rustlings_dir" && rustlings run quiz1 >/dev/null 2>&1) || true
fi

measure "starter (tests fail)"
measure_watch
cp -R "solutions/$dir/src/." "$src/"
if [ -n "$rustlings_dir" ]; then
  measure "solved (tests pass, clippy awaited)" rustlings
else
  measure "solved (tests pass, clippy awaited)"
  echo "rustlings: not installed (cargo install rustlings), skipped"
fi
