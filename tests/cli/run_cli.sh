#!/usr/bin/env bash
# marlsim run from the command line: the same JSON summary metrics and the same HDF5 rows at
# 1, 2 and 4 ranks in any number of rank groups, the JSON keys a user reads, paired differences against --baseline
# recomputed from the HDF5 episode rows, an undefined interval for one episode, and one-line
# errors with exit code 2 and no output files for bad input.
set -uo pipefail
MARLSIM=$1
MPIEXEC=${2:-mpirun}
SRC=${MARLSIM_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
SCENARIO=$SRC/configs/seed-study-u80.toml
PY=/usr/bin/python3
source "$SRC/scripts/mpi_env.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
[ -f "$SCENARIO" ] || fail "no scenario $SCENARIO"

# Rank groups (parallel episodes): NP:G, G 0 = automatic (one group per rank here: 10 pairs).
# 2:1 and 4:1 spread every episode over all ranks; 4:2 runs two episodes at a time on two
# ranks each; the automatic runs give every rank its own episodes. Results are the same.
RUNS="1:0 2:1 2:0 4:1 4:2 4:0"
for run in $RUNS; do
  np=${run%:*} groups=${run#*:}
  option=(); [ "$groups" -gt 0 ] && option=(--rank-groups "$groups")
  "$MPIEXEC" -np $np --oversubscribe --bind-to none "$MARLSIM" run "$SCENARIO" --episodes 2 "${option[@]}" \
      --set workload.tasks=300 --set run.warmup_s=2 --baseline random --quiet --out "$tmp/run-$np-$groups.h5" \
      --summary-json "$tmp/run-$np-$groups.json" \
      >"$tmp/stdout-$np-$groups.txt" 2>"$tmp/stderr-$np-$groups.txt" ||
    fail "run at $np ranks, $groups groups exited $?: $(cat "$tmp/stderr-$np-$groups.txt")"
  [ -s "$tmp/run-$np-$groups.json" ] || fail "no summary JSON at $np ranks, $groups groups"
  [ -s "$tmp/run-$np-$groups.h5" ] || fail "no HDF5 results at $np ranks, $groups groups"
  [ ! -e "$tmp/run-$np-$groups.h5.partial" ] || fail "the .partial results file was left at $np ranks"
  expected=$groups; [ "$groups" -eq 0 ] && expected=$np
  grep -q "$np rank(s) in $expected group(s)" "$tmp/stdout-$np-$groups.txt" ||
    fail "run at $np ranks, $groups groups: expected \"$np rank(s) in $expected group(s)\" in: $(head -1 "$tmp/stdout-$np-$groups.txt")"
done

# JSON: the keys a user reads, and every metric equal across rank counts. Not compared:
# wall-clock keys (wall_s*, decision_latency_wall_us*), "ranks", remote_events (events that
# crossed ranks: none on one rank), and windows (one rank runs
# each chunk of an episode as a single window; several ranks agree on many).
$PY - "$tmp" $RUNS <<'EOF' || fail "JSON summaries differ or lack keys"
import json, sys
tmp = sys.argv[1]
names = [r.replace(":", "-") for r in sys.argv[2:]]
runs = {name: json.load(open(f"{tmp}/run-{name}.json")) for name in names}
def skipped(key):
    return (key.startswith("wall_s") or key.startswith("decision_latency_wall_us") or key.startswith("windows")
            or key.startswith("remote_events"))
def comparable(d):
    return {k: comparable(v) if isinstance(v, dict) else v for k, v in d.items() if not skipped(k)}
ok = True
for name, run in runs.items():
    np, groups = (int(x) for x in name.split("-"))
    if run.get("ranks") != np:
        print(f"ranks is {run.get('ranks')} at {np} ranks"); ok = False
    if run.get("rank_groups") != (groups or np):
        print(f"rank_groups is {run.get('rank_groups')} at {np} ranks, --rank-groups {groups}"); ok = False
    if run.get("episodes") != 2:
        print(f"episodes is {run.get('episodes')}"); ok = False
    if len(run["policies"]) != 5:
        print(f"{len(run['policies'])} policies, expected the scenario's 5"); ok = False
    for p in run["policies"]:
        for key in ("policy", "episodes", "mean_completion_s", "sla_pct", "energy_kwh", "utilization_pct", "makespan_s",
                    "speed_weighted_utilization_pct", "arrival_window_s", "arrival_window_utilization_pct",
                    "arrival_window_speed_weighted_utilization_pct", "measured_tasks"):
            if key not in p:
                print(f"policy {p.get('policy')} at {np} ranks lacks {key}"); ok = False
        if p.get("episodes") != 2 or p.get("tasks") != 300 or p.get("completed") != 300:
            print(f"policy {p.get('policy')}: episodes {p.get('episodes')}, tasks {p.get('tasks')}, completed {p.get('completed')}"); ok = False
        # The 2 s warm-up leaves the first tasks (about 10 per s at this load) out of the task metrics.
        if not 0 < p.get("measured_tasks", 0) < 300:
            print(f"policy {p.get('policy')}: measured_tasks {p.get('measured_tasks')} with a 2 s warm-up"); ok = False
        if ("difference_from_baseline" in p) != (p["policy"] != "random"):
            print(f"policy {p.get('policy')}: difference_from_baseline present iff not the baseline"); ok = False
    if run.get("baseline") != "random" or run.get("warmup_s") != 2:
        print(f"baseline {run.get('baseline')!r}, warmup_s {run.get('warmup_s')!r}"); ok = False
ref = runs["1-0"]
for np in names[1:]:
    for a, b in zip(ref["policies"], runs[np]["policies"]):
        for key in sorted(set(a) | set(b)):
            if skipped(key):
                continue
            va, vb = a.get(key), b.get(key)
            if isinstance(va, dict) and isinstance(vb, dict):
                va, vb = comparable(va), comparable(vb)
            if va != vb:
                print(f"{a['policy']}.{key}: {va!r} at 1 rank, {vb!r} at {np} ranks"); ok = False
    for key in ("scenario", "seed", "nodes", "offered_utilization", "topology", "units"):
        if ref.get(key) != runs[np].get(key):
            print(f"{key} differs at {np} ranks"); ok = False
sys.exit(0 if ok else 1)
EOF

# HDF5: every per-task and per-node dataset identical, and the per-episode rows too (except
# the wall-clock and window counts).
if $PY -c "import h5py, numpy" 2>/dev/null; then
  $PY - "$tmp" $RUNS <<'EOF' || fail "HDF5 results differ across rank counts"
import h5py, numpy, sys
tmp = sys.argv[1]
names = [r.replace(":", "-") for r in sys.argv[2:]]
def datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return out
ref = datasets(f"{tmp}/run-1-0.h5")
tasks = [k for k in ref if "/tasks/" in k]
if not tasks or not any(k.endswith("/tasks/end_s") for k in tasks):
    print("no per-task datasets in", sorted(ref)[:10]); sys.exit(1)
if len(ref["random/tasks/task"]) != 600:
    print("random/tasks/task has", len(ref["random/tasks/task"]), "rows, expected 2 x 300"); sys.exit(1)
ok = True
for np in names[1:]:
    other = datasets(f"{tmp}/run-{np}.h5")
    if set(other) != set(ref):
        print(f"datasets differ at {np} ranks:", sorted(set(other) ^ set(ref))); ok = False
    for name in sorted(set(ref) & set(other)):
        leaf = name.rsplit("/", 1)[-1]
        if "/episodes/" in name and (leaf.startswith("wall_s") or leaf.startswith("decision_latency_wall_us") or leaf in ("windows", "remote_events")):
            continue
        if not numpy.array_equal(ref[name], other[name]):
            print(f"{name} differs at {np} ranks"); ok = False
sys.exit(0 if ok else 1)
EOF
  # output.per_task = false drops the per-task rows only: nodes, episodes and the lists of
  # tasks that fit no node (or wait on one) are still written.
  "$MARLSIM" run "$SCENARIO" --episodes 1 --policy random --set workload.tasks=50 --set output.per_task=false \
    --quiet --out "$tmp/lean.h5" >/dev/null || fail "per_task=false run failed"
  $PY - "$tmp/lean.h5" <<'EOF2' || fail "per_task=false wrote the wrong datasets"
import h5py, sys
f = h5py.File(sys.argv[1], "r")
assert "random/tasks" not in f, "per-task rows written"
for d in ("random/nodes/energy_j", "random/nodes/utilization_pct", "random/nodes/arrival_window_utilization_pct",
          "random/episodes/mean_completion_s", "random/episodes/arrival_window_speed_weighted_utilization_pct",
          "random/unschedulable/task", "random/blocked/task"):
    assert d in f, d + " missing"
EOF2
  # --baseline: each policy's paired difference equals the one recomputed by hand from the
  # HDF5 per-episode rows (Student's t with 1 degree of freedom for 2 episodes: 12.706).
  $PY - "$tmp" <<'EOF3' || fail "paired differences against --baseline are wrong"
import h5py, json, math, sys
tmp = sys.argv[1]
summary = json.load(open(f"{tmp}/run-1-0.json"))
f = h5py.File(f"{tmp}/run-1-0.h5", "r")
ok = True
for p in summary["policies"]:
    if p["policy"] == "random":
        continue
    for metric in ("mean_completion_s", "p95_completion_s", "sla_pct", "arrival_window_utilization_pct", "energy_kwh"):
        d = f[p["policy"] + "/episodes/" + metric][()] - f["random/episodes/" + metric][()]
        mean = (d[0] + d[1]) / 2
        ci = 12.706 * abs(d[0] - d[1]) / math.sqrt(2) / math.sqrt(2)  # s = |d0 - d1| / sqrt(2)
        got = p["difference_from_baseline"]
        if not math.isclose(got[metric], mean, rel_tol=1e-9, abs_tol=1e-9) or \
           not math.isclose(got[metric + "_ci95"], ci, rel_tol=1e-9, abs_tol=1e-9):
            print(p["policy"], metric, got[metric], got[metric + "_ci95"], "expected", mean, ci); ok = False
sys.exit(0 if ok else 1)
EOF3
else
  echo "skipped: HDF5 comparison (h5py or numpy missing for $PY)"
fi

# The table prints the paired differences too.
grep -q "^paired difference from random: policy minus random per episode" "$tmp/stdout-1-0.txt" ||
  fail "no paired-difference table in: $(cat "$tmp/stdout-1-0.txt")"

# One episode: the interval is undefined, printed "n/a" and written null, never "± 0".
"$MARLSIM" run "$SCENARIO" --episodes 1 --policy random,least-loaded --baseline least-loaded --set workload.tasks=50 \
  --summary-json "$tmp/one.json" >"$tmp/one.txt" 2>&1 || fail "one-episode run failed: $(cat "$tmp/one.txt")"
grep -q "± n/a" "$tmp/one.txt" || fail "one episode: no '± n/a' in the table: $(cat "$tmp/one.txt")"
! grep -q "± 0 " "$tmp/one.txt" || fail "one episode: the table prints '± 0': $(cat "$tmp/one.txt")"
$PY - "$tmp/one.json" <<'EOF4' || fail "one episode: the JSON intervals are not null"
import json, sys
s = json.load(open(sys.argv[1]))
for p in s["policies"]:
    assert p["mean_completion_s_ci95"] is None and p["sla_pct_ci95"] is None, p
    assert isinstance(p["mean_completion_s"], float), p
d = s["policies"][0]["difference_from_baseline"]
assert d["mean_completion_s_ci95"] is None and isinstance(d["mean_completion_s"], float), d
EOF4

# Bad input: exit 2, one line naming the problem, no output file of any kind.
expect_error() {
  local pattern=$1; shift
  local out="$tmp/bad" err rc
  rm -rf "$out"; mkdir -p "$out"
  err=$("$MARLSIM" run "$@" --out "$out/r.h5" --summary-json "$out/s.json" 2>&1 >/dev/null); rc=$?
  [ $rc -eq 2 ] || fail "run $*: exited $rc, expected 2 ($err)"
  grep -q -- "$pattern" <<<"$err" || fail "run $*: error '$err' does not mention '$pattern'"
  [ "$(wc -l <<<"$err")" -eq 1 ] || fail "run $*: error is not one line: $err"
  [ -z "$(ls -A "$out")" ] || fail "run $*: left output files: $(ls -A "$out")"
}
small=(--episodes 1 --set workload.tasks=20)
expect_error 'unknown policy "nosuch".*random, weighted-rr.*ray-hybrid' "$SCENARIO" "${small[@]}" --policy nosuch
expect_error 'scheduler.topology: expected one of centralized, two-level, decentralized; got "ring"' \
  "$SCENARIO" "${small[@]}" --set scheduler.topology=ring
expect_error '--set nonsense: expected KEY=VALUE' "$SCENARIO" "${small[@]}" --set nonsense
expect_error '--baseline: expected one of the run.s policies (random,best-fit); got "least-loaded"' \
  "$SCENARIO" "${small[@]}" --policy random,best-fit --baseline least-loaded
expect_error 'run.warmup_s: the warm-up (1e+06 s) outlasts the arrivals of episode 0' \
  "$SCENARIO" "${small[@]}" --set run.warmup_s=1e6
expect_error 'scheduler.frobnicate: unknown key' "$SCENARIO" "${small[@]}" --set scheduler.frobnicate=1
expect_error "$tmp/missing.toml: no such scenario file" "$tmp/missing.toml" "${small[@]}"
expect_error 'ray-hybrid in topology centralized: it prefers the deciding node, and a central scheduler has none' \
  "$SCENARIO" "${small[@]}" --policy ray-hybrid
# An output folder that does not exist: named, and nothing else written.
out="$tmp/bad"; rm -rf "$out"; mkdir -p "$out"
err=$("$MARLSIM" run "$SCENARIO" "${small[@]}" --out "$tmp/no-such-dir/r.h5" --summary-json "$out/s.json" 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] || fail "--out into a missing folder exited $rc ($err)"
grep -q -- "--out: the folder $tmp/no-such-dir does not exist" <<<"$err" || fail "--out error '$err' does not name the folder"
[ "$(wc -l <<<"$err")" -eq 1 ] || fail "--out error is not one line: $err"
[ -z "$(ls -A "$out")" ] && [ ! -e "$tmp/no-such-dir" ] || fail "--out into a missing folder left files"
err=$("$MARLSIM" run "$SCENARIO" "${small[@]}" --summary-json "$tmp/no-such-dir/s.json" 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] && grep -q -- "--summary-json: the folder" <<<"$err" || fail "--summary-json into a missing folder: rc $rc, '$err'"
# The same refusal at 2 ranks: one line (from rank 0), exit 2.
err=$("$MPIEXEC" -np 2 --oversubscribe --bind-to none "$MARLSIM" run "$SCENARIO" "${small[@]}" --policy ray-hybrid \
      --summary-json "$out/s.json" 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] || fail "ray-hybrid at 2 ranks exited $rc"
[ "$(grep -c 'ray-hybrid' <<<"$err")" -eq 1 ] || fail "ray-hybrid at 2 ranks: expected one error line, got: $err"
[ -z "$(ls -A "$out")" ] || fail "ray-hybrid at 2 ranks left output files"
echo "run CLI: all checks passed"
