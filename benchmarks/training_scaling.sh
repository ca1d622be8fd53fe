#!/usr/bin/env bash
# Training and end-to-end speed of the learned `decentralized-ac` against the number of agents
# (issue 12 "Per-policy update time", issue 11 "Speed"), on configs/seed-study-u80-ac.toml
# (decentralized topology: one agent per node, parameter sharing: every agent runs the same
# actor, so there is one network to update whatever the node count), 1 rank:
#
# 1. `marlsim train --iterations 2 --episodes-per-iteration 2` at TRAIN_NODES nodes, tasks =
#    TASKS_PER_NODE per node capped at TASK_CAP (so that the 10,000-node collection fits a few
#    minutes; the cap is printed). Per iteration: decisions, collection and update seconds, the
#    update's forward / backward / optimizer split, update microseconds per decision, and the
#    update time over the smallest node count's.
#    PARTS=train-fixed: the same with FIXED_TASKS tasks per episode at every node count, so the
#    decisions stay (nearly) constant while the agents grow.
# 2. `marlsim run --policy decentralized-ac` at RUN_NODES nodes, TASKS_PER_NODE tasks per node
#    (no cap), agents.decision_period_s = 0 (decide at once) and 1 (decision cycles: one batch
#    per rank per second): decisions per episode / the episode's wall seconds (both from the
#    summary JSON), mean decision batch. RUN_EPISODES episodes below 10,000 nodes (their mean),
#    1 episode at 10,000. least-loaded (period 0) in the same setting is the simulation's floor:
#    the episode's wall time that is not the policy's.
# Each part runs once per OpenMP thread count in TRAIN_THREADS / RUN_THREADS (OMP_NUM_THREADS).
#
# usage: benchmarks/training_scaling.sh [path/to/marlsim]   (default build/bin/marlsim, or $MARLSIM)
#   TRAIN_NODES="25 100" RUN_NODES="100" PARTS="train run" benchmarks/training_scaling.sh
set -euo pipefail

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ] || [ $# -gt 1 ]; then
  echo "usage: $0 [path/to/marlsim]   (env: MARLSIM, PARTS, TRAIN_NODES, RUN_NODES, TASKS_PER_NODE," \
    "TASK_CAP, FIXED_TASKS, RUN_EPISODES, TRAIN_THREADS, RUN_THREADS, PYTHON)" >&2
  exit 2
fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MARLSIM=${1:-${MARLSIM:-build/bin/marlsim}}
PYTHON=${PYTHON:-/usr/bin/python3}
PARTS=${PARTS:-"train train-fixed run"}
TRAIN_NODES=${TRAIN_NODES:-"25 100 1000 10000"}
RUN_NODES=${RUN_NODES:-"100 1000 10000"}
TASKS_PER_NODE=${TASKS_PER_NODE:-10}
TASK_CAP=${TASK_CAP:-20000}
FIXED_TASKS=${FIXED_TASKS:-2000}
RUN_EPISODES=${RUN_EPISODES:-5}
TRAIN_THREADS=${TRAIN_THREADS:-"1 2"}
RUN_THREADS=${RUN_THREADS:-"1"}
SCENARIO=configs/seed-study-u80-ac.toml

for part in $PARTS; do
  case $part in
    train | train-fixed | run) ;;
    *) echo "training_scaling: unknown part '$part' in PARTS (expected train, train-fixed, run)" >&2; exit 2 ;;
  esac
done
[ -x "$MARLSIM" ] || { echo "training_scaling: no marlsim program at $MARLSIM (build it first)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run_or_die() {
  if ! "$@" >"$tmp/log" 2>&1; then
    echo "training_scaling: FAILED: $*" >&2
    cat "$tmp/log" >&2
    exit 1
  fi
}

echo "# marlsim training_scaling: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores," \
  "$(date -u '+%F %H:%M UTC')," \
  "$SCENARIO, decentralized-ac, 1 rank, commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

for part in train train-fixed; do
  [[ " $PARTS " == *" $part "* ]] || continue
  rule="tasks = $TASKS_PER_NODE per node, at most $TASK_CAP"
  [ "$part" = train-fixed ] && rule="tasks = $FIXED_TASKS at every node count"
  echo
  echo "## update time vs agents (marlsim train --iterations 2 --episodes-per-iteration 2; $rule)"
  echo
  echo "| threads | agents (nodes) | tasks / episode | decisions / iteration | collection s / it | update s / it |" \
    "forward / backward / optimizer s / it | update us / decision | update vs ${TRAIN_NODES%% *} agents |" \
    "decisions vs ${TRAIN_NODES%% *} agents | load avg |"
  echo "|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|"
  for threads in $TRAIN_THREADS; do
  for n in $TRAIN_NODES; do
    tasks=$((n * TASKS_PER_NODE))
    [ "$tasks" -gt "$TASK_CAP" ] && tasks=$TASK_CAP
    [ "$part" = train-fixed ] && tasks=$FIXED_TASKS
    run_or_die env OMP_NUM_THREADS="$threads" "$MARLSIM" train "$SCENARIO" --quiet \
      --iterations 2 --episodes-per-iteration 2 \
      --set cluster.nodes="$n" --set workload.tasks="$tasks" --summary-json "$tmp/train-$n.json"
    "$PYTHON" - "$tmp" "$n" "$tasks" "${TRAIN_NODES%% *}" "$(cut -d' ' -f1 /proc/loadavg)" "$threads" <<'EOF'
import json, sys
tmp, first, load, threads = sys.argv[1], sys.argv[4], sys.argv[5], sys.argv[6]
n, tasks = int(sys.argv[2]), int(sys.argv[3])
curve = json.load(open(f"{tmp}/train-{n}.json"))["curve"]
mean = lambda k: sum(r[k] for r in curve) / len(curve)
row = {k: mean(k) for k in ("decisions", "collect_s", "update_s", "forward_s", "backward_s", "optimizer_s")}
if str(n) == first:
    json.dump(row, open(f"{tmp}/train-base-{threads}.json", "w"))
base = json.load(open(f"{tmp}/train-base-{threads}.json"))
print(f"| {threads} | {n:,} | {tasks:,} | {row['decisions']:,.0f} | {row['collect_s']:.2f} | {row['update_s']:.3f} | "
      f"{row['forward_s']:.3f} / {row['backward_s']:.3f} / {row['optimizer_s']:.4f} | "
      f"{1e6 * row['update_s'] / row['decisions']:.1f} | {row['update_s'] / base['update_s']:.1f}x | "
      f"{row['decisions'] / base['decisions']:.1f}x | {load} |", flush=True)
EOF
  done
  done
done

if [[ " $PARTS " == *" run "* ]]; then
  echo
  echo "## end-to-end decisions/s (marlsim run, decentralized-ac and least-loaded; tasks = $TASKS_PER_NODE per node;" \
    "$RUN_EPISODES episode(s) below 10,000 nodes, 1 at 10,000)"
  echo
  echo "| threads | policy | nodes | tasks / episode | decision_period_s | episodes | decisions / episode |" \
    "wall s / episode |" \
    "decisions/s | mean decision batch | decide us / decision | policy share of wall % | load avg |"
  echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  for threads in $RUN_THREADS; do
  for n in $RUN_NODES; do
    episodes=$RUN_EPISODES
    [ "$n" -ge 10000 ] && episodes=1
    for run in decentralized-ac:0 decentralized-ac:1 least-loaded:0; do
      policy=${run%:*} period=${run#*:}
      run_or_die env OMP_NUM_THREADS="$threads" "$MARLSIM" run "$SCENARIO" --quiet \
        --policy "$policy" --episodes "$episodes" \
        --set cluster.nodes="$n" --set workload.tasks=$((n * TASKS_PER_NODE)) \
        --set agents.decision_period_s="$period" --summary-json "$tmp/run-$n-$policy-$period.json"
      "$PYTHON" - "$tmp/run-$n-$policy-$period.json" "$period" "$(cut -d' ' -f1 /proc/loadavg)" "$threads" <<'EOF'
import json, sys
path, period, load, threads = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
s = json.load(open(path))
p = s["policies"][0]
wall = p["wall_s_per_episode"]
print(f"| {threads} | {p['policy']} | {s['nodes']:,} | {p['tasks']:,.0f} | {period} | {p['episodes']} | "
      f"{p['decisions']:,.0f} | {wall:.4f} | "
      f"{p['decisions'] / wall:,.0f} | {p['mean_decision_batch']:.1f} | {p['decision_latency_wall_us']:.2f} | "
      f"{100 * p['decisions'] * p['decision_latency_wall_us'] * 1e-6 / wall:.0f} | {load} |", flush=True)
EOF
    done
  done
  done
fi
