#!/usr/bin/env bash
# SIGINT and SIGTERM stop a run at the next window on every rank (issue 9, item 5): exit
# 128 + signal, one line naming the signal, no partial or new output file, and an existing
# --out file untouched.
source "$(dirname "$0")/lib/common.sh"
SCENARIO=$SRC/configs/seed-study.toml
long=(run "$SCENARIO" --episodes 100000 --quiet)  # hours: only a signal ends it
run_pid=
# A failed check must not leave the long run behind: its ranks first, then it.
trap '[ -n "$run_pid" ] && { pkill -KILL -P "$run_pid"; kill -KILL "$run_pid"; } 2>/dev/null; rm -rf "$tmp"' EXIT
echo "earlier results" >"$tmp/r.h5"
before=$(checksum "$tmp/r.h5")

# start_run LAUNCHER...: starts a long run writing $tmp/r.h5 and $tmp/s.json; sets $run_pid
# and waits until its partial files exist (the run is under way).
start_run() {
  "$@" "$MARLSIM" "${long[@]}" --out "$tmp/r.h5" --summary-json "$tmp/s.json" >"$tmp/stdout" 2>"$tmp/stderr" &
  run_pid=$!
  for _ in $(seq 300); do
    [ "$(ls "$tmp" | grep -c '\.partial$')" -ge 2 ] && { sleep 1; return; }
    sleep 0.1
  done
  fail "the run did not start: $(cat "$tmp/stderr")"
}
# The pid of rank $1 among the children of $run_pid (mpirun).
rank_pid() {
  local p
  for p in $(pgrep -P "$run_pid"); do
    tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$1" && { echo "$p"; return; }
  done
  fail "no rank $1 under mpirun $run_pid"
}
# check_stopped EXPECTED_EXIT SIGNAL_NAME CASE: waits for the run and checks what it left.
check_stopped() {
  local rc
  timeout 60 tail --pid="$run_pid" -f /dev/null || fail "$3: still running 60 s after the signal"
  wait "$run_pid"; rc=$?
  run_pid=
  [ "$rc" -eq "$1" ] || fail "$3: exited $rc, expected $1 ($(cat "$tmp/stderr"))"
  grep -q "^marlsim: stopped by $2 at the next window on every rank; no output written" "$tmp/stderr" ||
    fail "$3: no stop message naming $2 in: $(cat "$tmp/stderr")"
  [ "$(grep -c '^marlsim:' "$tmp/stderr")" -eq 1 ] || fail "$3: expected one line from marlsim: $(cat "$tmp/stderr")"
  ls "$tmp" | grep -q 'partial' && fail "$3: partial files left: $(ls "$tmp")"
  [ ! -e "$tmp/s.json" ] || fail "$3: a summary JSON was written"
  [ "$(checksum "$tmp/r.h5")" = "$before" ] || fail "$3: the existing --out file was changed"
}

# One process.
start_run env
kill -INT "$run_pid"
check_stopped 130 SIGINT "1 rank, SIGINT"
start_run env
kill -TERM "$run_pid"
check_stopped 143 SIGTERM "1 rank, SIGTERM"

# Two ranks, each signalled (as Slurm's scancel and srun do): mpirun passes the ranks' exit code on.
start_run "${MPIRUN[@]}" -np 2
kill -TERM "$(rank_pid 0)" "$(rank_pid 1)"
check_stopped 143 SIGTERM "2 ranks, SIGTERM to both"
# Only rank 1 signalled: the flags word on the window reduction stops rank 0 too.
start_run "${MPIRUN[@]}" -np 2
kill -INT "$(rank_pid 1)"
check_stopped 130 SIGINT "2 ranks, SIGINT to rank 1 only"
# Ctrl-C on mpirun itself: Open MPI 4.1 sends SIGTERM to the ranks and exits 1 itself. The ranks
# get scripts/mpi_env.sh's 10 s before SIGKILL here (ctest shortens it for the other runs).
start_run env OMPI_MCA_odls_base_sigkill_timeout=10 "${MPIRUN[@]}" -np 2
kill -INT "$run_pid"
check_stopped 1 SIGTERM "mpirun, SIGINT"
echo "signals CLI: all checks passed"
