#!/usr/bin/env bash
# `marlsim sweep --slurm` against a real Slurm: brings up a one-node cluster on localhost
# (slurm/local-cluster.sh), checks that bad input fails before anything is submitted and
# that sbatch refusing is reported, submits slurm/test-study.toml as a job array, waits,
# collects, checks the table (every run there, results equal at 1 and 2 ranks), checks
# that a second sweep finds nothing to resubmit, and tears the cluster down. Every wait is
# bounded: installing missing packages first (apt-get, at most 180 + 300 s, once per
# machine), then the test itself stops after 170 s (CI runs it: a hang is a failure).
#
#   bash slurm/test-local-cluster.sh [path/to/marlsim]      (as root; .ci/run calls it)
set -euo pipefail
if [ -z "${MARLSIM_SLURM_TEST_INNER:-}" ]; then
  bash "$(dirname "${BASH_SOURCE[0]}")/local-cluster.sh" install
  export MARLSIM_SLURM_TEST_INNER=1
  exec timeout -k 10 170 bash "$0" "$@"
fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
M="$(realpath "${1:-$ROOT/build/bin/marlsim}")"
CLUSTER="$ROOT/slurm/local-cluster.sh"
PY=/usr/bin/python3
start=$(date +%s)
say() { echo "slurm-test [$(($(date +%s) - start)) s]: $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$M" ] || fail "no marlsim program at $M (build first)"
[ "$(id -u)" -eq 0 ] || fail "needs root (it starts munged, slurmctld and slurmd)"

tmp=$(mktemp -d /tmp/marlsim-slurm-test.XXXXXX)
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  bash "$CLUSTER" down || true
  rm -rf "$tmp"
  exit $rc
}
trap cleanup EXIT INT TERM

say "bringing up the cluster"
bash "$CLUSTER" up
cpus=$(sinfo -h -o %C | awk -F/ '{s += $4} END {print s}')
say "$cpus CPU(s) in the partition"

# Bad input fails with exit 2 before anything is submitted.
cat >"$tmp/too-wide.toml" <<TOML
scenario = "$ROOT/configs/seed-study-u80.toml"
[axes]
ranks = [1, $((cpus * 2))]
TOML
set +e
"$M" sweep --study "$tmp/too-wide.toml" --out "$tmp/too-wide" --slurm >"$tmp/out.txt" 2>"$tmp/err.txt"
rc=$?
set -e
[ $rc -eq 2 ] || fail "a run wider than the partition: exit $rc, expected 2: $(cat "$tmp/err.txt")"
grep -q "the partition has $cpus CPU" "$tmp/err.txt" || fail "the message does not name the CPUs: $(cat "$tmp/err.txt")"
[ ! -e "$tmp/too-wide/sweep.sbatch" ] || fail "a script was written for a study that was refused"
[ -z "$(squeue -h)" ] || fail "something was submitted: $(squeue -h)"

# sbatch refusing (no such partition) is reported as sbatch's refusal, exit 1.
set +e
"$M" sweep --study "$ROOT/slurm/test-study.toml" --out "$tmp/refused" --slurm --partition no-such-partition \
  --max-cpus "$cpus" >"$tmp/out.txt" 2>"$tmp/err.txt"
rc=$?
set -e
[ $rc -eq 1 ] || fail "sbatch refusing: exit $rc, expected 1: $(cat "$tmp/err.txt")"
grep -q "sbatch refused" "$tmp/err.txt" || fail "sbatch's refusal not reported: $(cat "$tmp/err.txt")"
say "bad input and sbatch's refusal reported before anything ran"

# The real thing: 4 runs packed 2 to an array task.
"$M" sweep --study "$ROOT/slurm/test-study.toml" --out "$tmp/sweep" --slurm --runs-per-task 2 --time 00:05:00 \
  | tee "$tmp/out.txt"
job=$(sed -n 's/^submitted job \([0-9][0-9]*\)$/\1/p' "$tmp/out.txt")
[ -n "$job" ] || fail "no job id printed"
grep -q "^#SBATCH --array=0-1%" "$tmp/sweep/sweep.sbatch" || fail "expected a 2-task array: $(grep array "$tmp/sweep/sweep.sbatch")"
# A second sweep while the job is queued is refused (held, so it is surely still queued).
scontrol hold "$job" >/dev/null 2>&1 || true
set +e
"$M" sweep --study "$ROOT/slurm/test-study.toml" --out "$tmp/sweep" --slurm >"$tmp/out2.txt" 2>"$tmp/err.txt"
rc=$?
set -e
scontrol release "$job" >/dev/null 2>&1 || true
[ $rc -eq 2 ] && grep -q "job $job of this sweep is still queued or running" "$tmp/err.txt" \
  || fail "a second sweep while job $job is queued: exit $rc: $(cat "$tmp/err.txt")"
say "submitted job $job; waiting (at most 90 s)"
for ((i = 0; i < 450; i++)); do
  [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break
  sleep 0.2
done
[ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && say "job $job finished" || fail "job $job still queued after 90 s: $(squeue)"

"$M" collect "$tmp/sweep" || fail "collect found runs without results: $(cat "$tmp"/sweep/slurm/*.out "$tmp"/sweep/run-*/stderr.txt)"
$PY - "$tmp/sweep/table.h5" <<'PYEOF' || fail "the collected table is wrong"
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    t = {k: f["runs"][k][()] for k in f["runs"]}
status = [s.decode() if isinstance(s, bytes) else s for s in t["status"]]
policy = [s.decode() if isinstance(s, bytes) else s for s in t["policy"]]
assert len(status) == 4 and all(s == "ok" for s in status), status
assert sorted(t["ranks"].tolist()) == [1, 1, 2, 2], t["ranks"]
by = {}
for p, r, c, e in zip(policy, t["ranks"], t["mean_completion_s"], t["events"]):
    by.setdefault(p, {})[int(r)] = (c, e)
assert set(by) == {"random", "least-loaded"}, by
for p, v in by.items():
    assert v[1] == v[2], f"{p}: 1 rank {v[1]}, 2 ranks {v[2]}"
print("table: 4 runs ok; mean completion and events equal at 1 and 2 ranks")
PYEOF
grep -q -- "--mpi=pmix --ntasks=2" "$tmp/sweep/run-0002/command.txt" || fail "run-0002 not launched with srun --mpi=pmix -n 2"

"$M" sweep --study "$ROOT/slurm/test-study.toml" --out "$tmp/sweep" --slurm >"$tmp/out.txt"
grep -q "nothing to submit" "$tmp/out.txt" || fail "a finished sweep was resubmitted: $(cat "$tmp/out.txt")"
say "passed"
