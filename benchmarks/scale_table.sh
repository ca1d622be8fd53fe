#!/usr/bin/env bash
# Issue 10's "Recorded" table: one episode of configs/seed-study-u80.toml (80 % offered load,
# memory the dominant resource) per cell, nodes x tasks x policy x ranks, one markdown row per
# cell: wall s, CPU s (user + system of every rank, /usr/bin/time -v over mpirun), the load
# average while it ran (the machine is shared: CPU s is the steadier figure), events/s and
# decisions/s over the run's own wall_s (set-up excluded), events per CPU second, the policy's
# wall us per decision as the run reports it, and the peak resident set (the largest process).
# ray-hybrid and ray-hybrid-sampled run on the two-level topology (the centralized one refuses
# them: they prefer the deciding node, and a central scheduler has none).
#
# A cell whose estimate exceeds LIMIT seconds of CPU is skipped and printed as such: the
# estimate is 10x the CPU time of the same policy and ranks with 10x fewer tasks (or 10x fewer
# nodes) measured earlier in this run, so run the grid from small to large (the default
# order). A cell that outlasts TIMEOUT seconds of wall is killed and printed as such.
#
# usage: benchmarks/scale_table.sh [path/to/marlsim]
#   env: NODES ("1000 10000 100000"), TASKS ("100000 1000000"), RANKS ("1 2"),
#        POLICIES ("least-loaded random priority-minmin best-fit weighted-rr ray-hybrid
#        ray-hybrid-sampled"), LIMIT (180), TIMEOUT (300), PYTHON (/usr/bin/python3),
#        MPIRUN ("mpirun --oversubscribe --bind-to none"; scripts/mpi_env.sh sets the rest)
set -euo pipefail
if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ] || [ $# -gt 1 ]; then
  echo "usage: $0 [path/to/marlsim]   (env: NODES, TASKS, RANKS, POLICIES, LIMIT, TIMEOUT, PYTHON, MPIRUN)" >&2
  exit 2
fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MARLSIM=${1:-${MARLSIM:-build/bin/marlsim}}
PYTHON=${PYTHON:-/usr/bin/python3}
NODES=${NODES:-"1000 10000 100000"}
TASKS=${TASKS:-"100000 1000000"}
RANKS=${RANKS:-"1 2"}
POLICIES=${POLICIES:-"least-loaded random priority-minmin best-fit weighted-rr ray-hybrid ray-hybrid-sampled"}
LIMIT=${LIMIT:-180}
TIMEOUT=${TIMEOUT:-300}
[ -x "$MARLSIM" ] || { echo "scale_table: no marlsim program at $MARLSIM (build it first)" >&2; exit 2; }
source scripts/mpi_env.sh
read -r -a MPIRUN <<<"${MPIRUN:-mpirun --oversubscribe --bind-to none}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OMP_NUM_THREADS=1

load() { cut -d' ' -f1 /proc/loadavg; }
commas() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
# cpu TAG: the CPU seconds a finished cell took, or nothing
cpu() { [ -f "$tmp/$1.cpu" ] && cat "$tmp/$1.cpu" || true; }

echo "| ranks | nodes | tasks | policy | wall s | CPU s | load avg | events/s | decisions/s | events/CPU-s | decide us | peak RSS MiB |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for ranks in $RANKS; do
  for tasks in $TASKS; do
    for nodes in $NODES; do
      for policy in $POLICIES; do
        tag="$ranks-$nodes-$tasks-$policy"
        label=$policy
        extra=()
        case $policy in ray-hybrid*) extra=(--set scheduler.topology=two-level); label="$policy (two-level)" ;; esac
        row="| $ranks | $(commas "$nodes") | $(commas "$tasks") | $label"
        # The estimate from the cell with 10x fewer tasks, else with 10x fewer nodes.
        est=$(cpu "$ranks-$nodes-$((tasks / 10))-$policy")
        [ -n "$est" ] || est=$(cpu "$ranks-$((nodes / 10))-$tasks-$policy")
        if [ -n "$est" ] && "$PYTHON" -c "import sys; sys.exit(0 if 10 * $est > $LIMIT else 1)"; then
          echo "$row | skipped (est. $("$PYTHON" -c "print(round(10 * $est))") s of CPU) | | | | | | | |"
          continue
        fi
        launch=("$MARLSIM")
        [ "$ranks" = 1 ] || launch=("${MPIRUN[@]}" -np "$ranks" "$MARLSIM")
        load0=$(load)
        status=0
        timeout "$TIMEOUT" /usr/bin/time -v -o "$tmp/$tag.time" "${launch[@]}" run configs/seed-study-u80.toml \
          --set cluster.nodes="$nodes" --set workload.tasks="$tasks" --set run.episodes=1 --policy "$policy" \
          "${extra[@]}" --quiet --summary-json "$tmp/$tag.json" >"$tmp/$tag.log" 2>&1 || status=$?
        if [ "$status" = 124 ]; then
          echo "$row | killed at $TIMEOUT s (timeout) | | | | | | | |"
          continue
        elif [ "$status" != 0 ]; then
          echo "$row | failed (exit $status): $(tail -n 1 "$tmp/$tag.log") | | | | | | | |"
          continue
        fi
        "$PYTHON" - "$tmp/$tag" "$row" "$load0" "$(load)" <<'PY'
import json, re, sys
base, row, load0, load1 = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
text = open(base + ".time").read()
field = lambda name: float(re.search(re.escape(name) + r": *([0-9.]+)", text).group(1))
cpu = field("User time (seconds)") + field("System time (seconds)")
rss = field("Maximum resident set size (kbytes)") / 1024
elapsed = text.split("Elapsed (wall clock) time (h:mm:ss or m:ss): ")[1].split()[0].split(":")
wall = sum(float(x) * 60 ** i for i, x in enumerate(reversed(elapsed)))
p = json.load(open(base + ".json"))["policies"][0]
run_wall = p["wall_s"]
open(base.rsplit("/", 1)[0] + "/" + base.rsplit("/", 1)[1] + ".cpu", "w").write(f"{cpu}")
print(f"{row} | {wall:.1f} | {cpu:.1f} | {(load0 + load1) / 2:.0f} | {p['events'] / run_wall:,.0f} | "
      f"{p['decisions'] / run_wall:,.0f} | {p['events'] / cpu:,.0f} | {p['decision_latency_wall_us']:.2f} | {rss:.0f} |")
PY
      done
    done
  done
done
