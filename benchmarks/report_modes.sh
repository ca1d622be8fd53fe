#!/usr/bin/env bash
# Periodic load reports against reports on change (scheduler.report, issue 11's end-to-end
# speed), on the decentralized seed-study scenario (configs/seed-study-u80-ac.toml), one rank,
# one thread:
#  1. speed with the untrained decentralized-ac at 100, 1,000 and 10,000 nodes (10 tasks per
#     node): events per decision and decisions per CPU (user) second, /usr/bin/time's user time
#     because the machine is shared. 100 nodes: per episode = (user of 30 episodes - user of 1)
#     / 29; 1,000 and 10,000 nodes: one episode, the whole process. Median of REPS runs.
#  2. quality at 100 nodes, 30 episodes: every decentralized heuristic and the shipped
#     decentralized-ac checkpoint, each mode on the same task streams; per policy the mean
#     completion in each mode and the paired per-episode difference (on-change - periodic,
#     mean and 95 % CI), with messages per agent and staleness.
#
# usage: benchmarks/report_modes.sh [path/to/marlsim]   (env: REPS, default 3)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MARLSIM=${1:-${MARLSIM:-build/bin/marlsim}}
PYTHON=${PYTHON:-/usr/bin/python3}
REPS=${REPS:-3}
C=configs/seed-study-u80-ac.toml
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
export OMP_NUM_THREADS=1

# run TAG NODES EPISODES MODE: user seconds into $OUT/TAG.time, summary into $OUT/TAG.json
run() {
  /usr/bin/time -f "%U" -o "$OUT/$1.time" "$MARLSIM" run "$C" --policy decentralized-ac --quiet \
    --set cluster.nodes="$2" --set workload.tasks=$((10 * $2)) --episodes "$3" --set scheduler.report="$4" \
    --summary-json "$OUT/$1.json" >/dev/null
}

echo "| report | nodes | tasks | events / episode | events / decision | CPU s / episode | decisions / CPU s |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for mode in periodic on-change; do
  for nodes in 100 1000 10000; do
    for rep in $(seq "$REPS"); do
      if [ "$nodes" = 100 ]; then
        run "$mode-$nodes-1-$rep" "$nodes" 1 "$mode"
        run "$mode-$nodes-$rep" "$nodes" 30 "$mode"
      else
        run "$mode-$nodes-$rep" "$nodes" 1 "$mode"
      fi
    done
    "$PYTHON" - "$OUT" "$mode" "$nodes" "$REPS" <<'PY'
import json, statistics, sys
out, mode, nodes, reps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
user = lambda tag: float(open(f"{out}/{tag}.time").read().split()[-1])
cpu = []
for r in range(1, reps + 1):
    cpu.append((user(f"{mode}-{nodes}-{r}") - user(f"{mode}-{nodes}-1-{r}")) / 29 if nodes == 100 else user(f"{mode}-{nodes}-{r}"))
p = json.load(open(f"{out}/{mode}-{nodes}-1.json"))["policies"][0]
c = statistics.median(cpu)
print(f"| {mode} | {nodes:,} | {10 * nodes:,} | {p['events']:,.0f} | {p['events'] / p['decisions']:.1f} | {c:.4f} | {p['decisions'] / c / 1000:.1f} k |")
PY
  done
done

echo
POLICIES=decentralized-ac,priority-minmin,weighted-rr,least-loaded,best-fit,random
for mode in periodic on-change; do
  "$MARLSIM" run "$C" --policy "$POLICIES" --set agents.checkpoint=configs/checkpoints/seed-study-u80-ac.h5 \
    --set scheduler.report="$mode" --quiet --out "$OUT/quality-$mode.h5" >/dev/null
done
"$PYTHON" - "$OUT" "$POLICIES" <<'PY'
import math, sys
import h5py
out, policies = sys.argv[1], sys.argv[2].split(",")
t975 = {29: 2.045}
print("| policy | completion s periodic | on-change | paired difference s (95 % CI) | messages / agent periodic | on-change | mean staleness s periodic | on-change |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
with h5py.File(f"{out}/quality-periodic.h5") as a, h5py.File(f"{out}/quality-on-change.h5") as b:
    for p in policies:
        ea, eb = a[p]["episodes"], b[p]["episodes"]
        ca, cb = ea["mean_completion_s"][:], eb["mean_completion_s"][:]
        d = cb - ca
        n = len(d)
        mean = d.mean()
        half = t975.get(n - 1, 1.96) * d.std(ddof=1) / math.sqrt(n) if n > 1 else float("nan")
        print(f"| {p} | {ca.mean():.2f} | {cb.mean():.2f} | {mean:+.2f} ± {half:.2f} | {ea['messages_per_agent'][:].mean():.0f} | "
              f"{eb['messages_per_agent'][:].mean():.0f} | {ea['mean_staleness_s'][:].mean():.3f} | {eb['mean_staleness_s'][:].mean():.3f} |")
PY
