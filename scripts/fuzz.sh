#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) into build-asan/, the build folder
# scripts/sanitize.sh uses (after it, only the targets themselves are compiled), and runs each one.
#   bash scripts/fuzz.sh            # each target for 20 s (CI)
#   bash scripts/fuzz.sh 600        # each target for 600 s
#   MARLSIM_FUZZ_RUNS=1000000 bash scripts/fuzz.sh 0   # each target for 1e6 executions
#   MARLSIM_FUZZ_BUILD=build-fuzz-long bash scripts/fuzz.sh 600   # another build folder
# Seed corpora are made at run time from configs/ and small slices of ../shared/traces
# (never copied into the repository). Exit code 0: no crash, leak, hang or UB; otherwise the
# input that triggered it is in build-asan/artifacts/. Targets run side by side, one per core.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
SECONDS_PER_TARGET=${1:-20}
RUNS=${MARLSIM_FUZZ_RUNS:--1}
BUILD="${MARLSIM_FUZZ_BUILD:-$MARLSIM_ASAN_BUILD}"
TRACES="$MARLSIM_ROOT/../shared/traces"
TARGETS=(scenario swf alibaba2017 alibaba2018 google2011)

ensure_packages clang  # libFuzzer comes with Debian's clang
configure_asan_build "$BUILD"
cmake --build "$BUILD" -j"$(nproc)" --target "${TARGETS[@]/#/fuzz_}"

# Seed corpora: a few slices of each trace (the header, the start, a stretch further in).
corpus="$BUILD/corpus"
rm -rf "$corpus"
mkdir -p "$corpus"/{scenario,swf,alibaba2017,alibaba2018,google2011} "$BUILD/artifacts"
cp "$MARLSIM_ROOT"/configs/*.toml "$corpus/scenario/"
slices() {  # slices FILE TARGET: three 40-line slices of FILE (plain or .gz) into the target's corpus
  local i=0
  for start in 1 41 5001; do
    zcat -f "$1" | sed -n "${start},$((start + 39))p" >"$corpus/$2/slice$((i++))"
  done
}
if [ -d "$TRACES" ]; then
  slices "$TRACES/pwa_ricc2010/RICC-2010-2.swf.gz" swf
  slices "$TRACES/alibaba_v2018_dag/selected_DAGs.csv.gz" alibaba2018
  slices "$(ls "$TRACES"/google2011_part0/task_events/*.gz | head -1)" google2011
  slices "$TRACES/alibaba_v2017/batch_task.csv.gz" alibaba2017
  for f in "$corpus"/alibaba2017/slice*; do  # the bytes after a NUL are the server_event.csv
    { printf '\0'; head -20 "$TRACES/alibaba_v2017/server_event.csv"; } >>"$f"
  done
else
  echo "fuzz: $TRACES not found; trace targets start from an empty corpus" >&2
fi

# The trace targets write each input to a file: on tmpfs that is ~5x faster than on disk.
scratch=${TMPDIR:-/tmp}
[ -w /dev/shm ] && scratch=/dev/shm
run_target() {  # run_target NAME: fuzzes one target, prints its summary; non-zero on a finding
  local t=$1 log="$BUILD/fuzz_$1.log"
  echo "fuzz_$t: $([ "$RUNS" -gt 0 ] && echo "$RUNS runs" || echo "$SECONDS_PER_TARGET s")"
  # Leaks are checked (no MPI is initialised in the targets); -timeout flags hangs.
  if ! TMPDIR="$scratch" "$BUILD/bin/fuzz_$t" -max_total_time="$SECONDS_PER_TARGET" -runs="$RUNS" \
      -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="$BUILD/artifacts/$t-" "$corpus/$t" >"$log" 2>&1; then
    echo "fuzz_$t: FOUND A PROBLEM (see $log and $BUILD/artifacts/)" >&2
    tail -40 "$log" >&2
    return 1
  fi
  grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' "$log" | sed "s/^/fuzz_$t: /" | tail -2
}
# One target per core at a time (each libFuzzer process is single-threaded).
status=0
running=()
for t in "${TARGETS[@]}"; do
  run_target "$t" &
  running+=($!)
  if [ "${#running[@]}" -ge "$(nproc)" ]; then
    for pid in "${running[@]}"; do wait "$pid" || status=1; done
    running=()
  fi
done
for pid in "${running[@]}"; do wait "$pid" || status=1; done
exit $status
