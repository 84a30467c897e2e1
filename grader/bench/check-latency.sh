#!/usr/bin/env bash
# How long `cargo grade check` takes to give a verdict after a learner edits src/lib.rs, and how
# much of that is the grader's own overhead over the bare cargo commands it runs.
#
#   bash grader/bench/check-latency.sh [STEP-FOLDER] [RUNS]
#   e.g. bash grader/bench/check-latency.sh 01_borrowing/01_split_fields 5   (the defaults)
#
# Each run appends a comment to the step's src/lib.rs (so cargo must rebuild the library and
# the test binary, as after a real edit) and times, in turn:
#   grade  - `cargo grade check STEP`, exactly what a learner runs;
#   bare   - the same cargo commands the grader runs, started by hand the same way: the
#            workspace metadata for nextest, then the tests through cargo-nextest while clippy
#            runs beside them in its own target directory. `cargo grade` itself goes through
#            `cargo run`, whose own up-to-date check (about 0.14 s here) counts as overhead.
#   watch  - with the starter, `cargo grade watch` already running on the step: from the save to
#            the verdict on screen (no `cargo run` in this loop; the watcher's debounce counts).
#   rustlings - side by side, `rustlings run` on its first quiz after an edit, when rustlings is
#            installed (`cargo install rustlings`); skipped, saying so, when it is not.
# It prints the median of each and the difference. The step's src/lib.rs and the learner's
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

measure() {
  local state=$1 grade_times=() bare_times=() start grade bare
  cargo grade check "$step" >/dev/null 2>&1 || true
  for i in $(seq "$runs"); do
    edit "$i-grade"
    start=$(now)
    cargo grade check "$step" >/dev/null 2>&1 || true
    grade_times+=("$(ms_since "$start")")

    edit "$i-bare"
    start=$(now)
    cargo clippy -q --lib -p "$package" --message-format json --target-dir target/grader-clippy \
      -- -D warnings >/dev/null 2>&1 &
    clippy=$!
    cargo metadata --format-version 1 --no-deps --offline >"$backup/metadata.json"
    RUST_BACKTRACE=0 cargo nextest run -p "$package" --cargo-quiet --no-tests fail --no-fail-fast \
      --cargo-metadata "$backup/metadata.json" >/dev/null 2>&1 || true
    wait "$clippy" || true
    bare_times+=("$(ms_since "$start")")
  done
  grade=$(printf '%s\n' "${grade_times[@]}" | median)
  bare=$(printf '%s\n' "${bare_times[@]}" | median)
  printf '%s: step %s, %s runs after an edit to src/lib.rs\n' "$state" "$step" "$runs"
  printf '  cargo grade check  median %4d ms   runs (ms): %s\n' "$grade" "${grade_times[*]}"
  printf '  bare cargo         median %4d ms   runs (ms): %s\n' "$bare" "${bare_times[*]}"
  printf '  grader overhead    %4d ms\n' "$((grade - bare))"
}

# Save to verdict under `cargo grade watch`: each edit must bring one more "Watching" line,
# which the watcher prints after each verdict.
measure_watch() {
  local times=() out="$backup/watch.out" seen start
  cargo grade goto "$step" >/dev/null
  target/debug/grader watch >"$out" 2>&1 &
  watcher=$!
  until grep -q "^Watching" "$out"; do sleep 0.01; done
  for i in $(seq "$runs"); do
    seen=$(grep -c "^Watching" "$out")
    start=$(now)
    edit "$i-watch"
    until [ "$(grep -c "^Watching" "$out")" -gt "$seen" ]; do sleep 0.005; done
    times+=("$(ms_since "$start")")
  done
  kill "$watcher"
  wait "$watcher" 2>/dev/null || true
  watcher=
  printf 'watch: step %s, %s saves of src/lib.rs (tests fail)\n' "$step" "$runs"
  printf '  save to verdict    median %4d ms   runs (ms): %s\n' \
    "$(printf '%s\n' "${times[@]}" | median)" "${times[*]}"
}

# The same edit-to-verdict time for rustlings, side by side, when it is installed
# (`cargo install rustlings`): `rustlings run` on its first quiz, solved, so it builds, runs the
# tests and reports a pass, as `cargo grade check` does on a solved step.
measure_rustlings() {
  if ! command -v rustlings >/dev/null 2>&1; then
    echo "rustlings: not installed (cargo install rustlings), skipped"
    return
  fi
  local dir="$backup/rustlings" times=() start exercise
  mkdir -p "$dir"
  (cd "$dir" && rustlings init </dev/null >/dev/null 2>&1)
  exercise="$dir/rustlings/exercises/quizzes/quiz1.rs"
  cp "$dir/rustlings/solutions/quizzes/quiz1.rs" "$exercise"
  (cd "$dir/rustlings" && rustlings run quiz1 >/dev/null 2>&1) || true
  for i in $(seq "$runs"); do
    printf '// edit %s\n' "$i-$RANDOM" >>"$exercise"
    start=$(now)
    (cd "$dir/rustlings" && rustlings run quiz1 >/dev/null 2>&1) || true
    times+=("$(ms_since "$start")")
  done
  printf '%s: quiz1 solved, %s runs after an edit\n' "$(rustlings --version)" "$runs"
  printf '  rustlings run      median %4d ms   runs (ms): %s\n' \
    "$(printf '%s\n' "${times[@]}" | median)" "${times[*]}"
}

measure "starter (tests fail)"
measure_watch
cp -R "solutions/$dir/src/." "$src/"
measure "solved (tests pass, clippy awaited)"
measure_rustlings
