#!/usr/bin/env bash
# marlsim train (issue 12): a short run learns nothing in particular but must be complete and
# exact: checkpoints and trajectory files per iteration, bit-for-bit the same when repeated, a
# run killed with SIGKILL mid-iteration leaves readable files and --resume finishes it exactly
# as an uninterrupted run; two ranks; the policy evaluates with marlsim run; bad input.
source "$(dirname "$0")/lib/common.sh"
SCENARIO=$SRC/configs/seed-study-u80-ac.toml
train_base=("$MARLSIM" train "$SCENARIO" --iterations 3 --quiet --set workload.tasks=600)
train=("${train_base[@]}" --episodes-per-iteration 2)
kill_pid=
trap '[ -n "$kill_pid" ] && kill -KILL "$kill_pid" 2>/dev/null; rm -rf "$tmp"' EXIT

# same_h5 A B: every dataset of A and B holds the same bytes.
same_h5() {
  $PY - "$1" "$2" <<'PYEOF' || fail "$1 and $2 differ"
import sys, h5py
def datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda n, o: out.__setitem__(n, o[()].tobytes()) if isinstance(o, h5py.Dataset) else None)
    return out
a, b = datasets(sys.argv[1]), datasets(sys.argv[2])
bad = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
if bad: print("differ:", bad[:5]); sys.exit(1)
PYEOF
}

"${train[@]}" --checkpoint-dir "$tmp/a" --summary-json "$tmp/a.json" >"$tmp/a.log" || fail "train: $(cat "$tmp/a.log")"
for i in 000000 000001 000002; do
  [ -f "$tmp/a/iteration-$i.h5" ] || fail "no checkpoint of iteration $i"
  [ -f "$tmp/a/trajectories-$i.h5" ] || fail "no trajectory file of iteration $i"
done
[ -f "$tmp/a/policy.h5" ] || fail "no policy.h5"
$PY - "$tmp/a.json" <<'PYEOF' || fail "summary: $(cat "$tmp/a.json")"
import json, math, sys
s = json.load(open(sys.argv[1]))
assert s["command"] == "train" and len(s["curve"]) == 3, s
for row in s["curve"]:
    for key in ["mean_return", "mean_completion_s", "entropy", "value_loss", "update_s", "forward_s", "backward_s"]:
        assert math.isfinite(row[key]), (key, row)
    assert row["decisions"] > 0 and row["entropy"] > 0
PYEOF
# The trajectory file reads with the Python loader and holds every decision of the iteration.
$PY "$SRC/analysis/trajectories.py" "$tmp/a/trajectories-000002.h5" --batches 1 >"$tmp/loader.log" ||
  fail "loader: $(cat "$tmp/loader.log")"

# Repeated: bit for bit.
"${train[@]}" --checkpoint-dir "$tmp/b" >/dev/null || fail "second run"
same_h5 "$tmp/a/iteration-000002.h5" "$tmp/b/iteration-000002.h5"
same_h5 "$tmp/a/trajectories-000002.h5" "$tmp/b/trajectories-000002.h5"

# Killed mid-run (SIGKILL as soon as the first checkpoint exists), then resumed.
"${train[@]}" --checkpoint-dir "$tmp/c" >/dev/null 2>&1 &
kill_pid=$!
for _ in $(seq 600); do [ -f "$tmp/c/iteration-000000.h5" ] && break; sleep 0.02; done
kill -KILL "$kill_pid" 2>/dev/null
wait "$kill_pid" 2>/dev/null
kill_pid=
[ -f "$tmp/c/iteration-000002.h5" ] && echo "note: the run finished before SIGKILL; resume then has nothing to do"
for f in "$tmp"/c/*.h5; do $PY -c "import h5py, sys; h5py.File(sys.argv[1], 'r')" "$f" || fail "unreadable after SIGKILL: $f"; done
"${train[@]}" --checkpoint-dir "$tmp/c" --resume >/dev/null || fail "resume"
same_h5 "$tmp/a/iteration-000002.h5" "$tmp/c/iteration-000002.h5"
same_h5 "$tmp/a/policy.h5" "$tmp/c/policy.h5"

# Two ranks: each collects its own episodes; the first iteration's decisions (same initial
# weights, contiguous blocks of episodes per rank) are the same file as on one rank.
"${MPIRUN[@]}" -np 2 "${train[@]}" --checkpoint-dir "$tmp/d" >/dev/null || fail "2 ranks"
same_h5 "$tmp/a/trajectories-000000.h5" "$tmp/d/trajectories-000000.h5"

# Batched episodes: both episodes of an iteration in one kernel, each with its own decision
# log, train to the same bits as one at a time.
"${train[@]}" --batch-episodes 2 --checkpoint-dir "$tmp/e" >/dev/null || fail "--batch-episodes 2"
same_h5 "$tmp/a/iteration-000002.h5" "$tmp/e/iteration-000002.h5"
same_h5 "$tmp/a/trajectories-000002.h5" "$tmp/e/trajectories-000002.h5"

# The trained policy evaluates on evaluation episodes.
"$MARLSIM" run "$SCENARIO" --policy decentralized-ac --episodes 2 --quiet --set workload.tasks=200 \
  --set agents.checkpoint="$tmp/a/policy.h5" >/dev/null || fail "run with the trained policy"

# Bad input.
expect_error '^marlsim: error: --policy: only decentralized-ac, hrac and hierrl can be trained, got random' \
  "${train[@]}" --policy random --checkpoint-dir "$tmp/out/x"
expect_error '^marlsim: error: --resume: needs --checkpoint-dir' "${train[@]}" --resume
# An option of the other training loop is refused, not silently ignored.
expect_error '^marlsim: error: --train-nodes: applies only to --policy hierrl' "${train[@]}" --train-nodes 3
expect_error '^marlsim: error: --reward-lambda: applies only to the PPO policies' "${train[@]}" --policy hierrl \
  --reward-lambda 0.5
expect_error '^marlsim: error: --train-tasks: needs a trace workload' "${train[@]}" --policy hierrl --train-tasks 5 \
  --set scheduler.topology=two-level
expect_error '^marlsim: error: run.batch_episodes: hierrl trains one episode per kernel' "${train[@]}" --policy hierrl \
  --batch-episodes 2 --set scheduler.topology=two-level
expect_error '^marlsim: error: --episodes-per-iteration: expected at least one episode per rank \(2\), got 1' \
  "${MPIRUN[@]}" -np 2 "${train_base[@]}" --episodes-per-iteration 1
echo "train: ok"
