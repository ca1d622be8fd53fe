#!/usr/bin/env bash
# Speed of the full cluster model (`marlsim run`, one episode of configs/seed-study-u80.toml
# under least-loaded) at 1,000 and 10,000 nodes on 1, 2 and 4 ranks (4 is oversubscribed on
# a 2-core machine and labelled so):
#   c1k-full   1,000 nodes, 100,000 tasks, centralized, every node a candidate (O(N) decision)
#   c1k-k16    1,000 nodes, 100,000 tasks, centralized, scheduler.candidates=16 (O(K))
#   c10k-k16   10,000 nodes, 1,000,000 tasks, centralized, scheduler.candidates=16
#   d1k        1,000 nodes, 10,000 tasks, decentralized (limited sharing, 1 s reports)
#   d10k       10,000 nodes, 50,000 tasks, decentralized, run.max_time_s=300 (the periodic
#              reports of 10,000 nodes dominate; the cap keeps a run to a few seconds)
# events/s = committed events / wall_s of the episode (slowest rank, from --summary-json);
# each point is the median of REPEAT runs (default 3). speedup = events/s on P ranks over
# events/s on 1 rank. Every metric except wall times, windows and remote events must be
# identical for every rank count: the script fails loudly if not.
#
# usage: benchmarks/cluster_scaling.sh [path/to/marlsim]      (default build/bin/marlsim, or $MARLSIM)
#   REPEAT=5 RANKS="1 2" CONFIGS="c1k-full c10k-k16" benchmarks/cluster_scaling.sh
set -euo pipefail

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ] || [ $# -gt 1 ]; then
  echo "usage: $0 [path/to/marlsim]   (env: MARLSIM, REPEAT, RANKS, CONFIGS, MPIRUN, PYTHON)" >&2
  exit 2
fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MARLSIM=${1:-${MARLSIM:-build/bin/marlsim}}
MPIRUN=${MPIRUN:-mpirun}
PYTHON=${PYTHON:-/usr/bin/python3}
REPEAT=${REPEAT:-3}
RANKS=${RANKS:-"1 2 4"}
CONFIGS=${CONFIGS:-"c1k-full c1k-k16 c10k-k16 d1k d10k"}
NCORES=$(nproc)
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/mpi_env.sh"

[ -x "$MARLSIM" ] || { echo "cluster_scaling: no marlsim program at $MARLSIM (build it first)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The --set overrides of each configuration.
sets_for() {
  case $1 in
    c1k-full) echo "cluster.nodes=1000 workload.tasks=100000" ;;
    c1k-k16) echo "cluster.nodes=1000 workload.tasks=100000 scheduler.candidates=16" ;;
    c10k-k16) echo "cluster.nodes=10000 workload.tasks=1000000 scheduler.candidates=16" ;;
    d1k) echo "cluster.nodes=1000 workload.tasks=10000 scheduler.topology=decentralized" ;;
    d10k) echo "cluster.nodes=10000 workload.tasks=50000 scheduler.topology=decentralized run.max_time_s=300" ;;
    *) echo "cluster_scaling: unknown configuration $1" >&2; exit 2 ;;
  esac
}

echo "# marlsim cluster-model scaling: $(lscpu | sed -n 's/^Model name: *//p'), $NCORES cores," \
  "configs/seed-study-u80.toml, least-loaded, 1 episode, seed 1, median of $REPEAT runs"
echo
echo "| config | ranks | events | events/s | windows | events/window | remote % | speedup | episode wall s | metrics |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
for cfg in $CONFIGS; do
  args=()
  for s in $(sets_for "$cfg"); do args+=(--set "$s"); done
  for np in $RANKS; do
    for ((i = 0; i < REPEAT; i++)); do
      cmd=("$MPIRUN" -np "$np" --oversubscribe --bind-to none "$MARLSIM" run configs/seed-study-u80.toml
           --policy least-loaded --episodes 1 "${args[@]}" --summary-json "$tmp/$cfg-$np-$i.json" --quiet)
      if ! "${cmd[@]}" >"$tmp/log" 2>&1; then
        echo "cluster_scaling: FAILED: ${cmd[*]}" >&2
        cat "$tmp/log" >&2
        exit 1
      fi
    done
    label=$np
    [ "$np" -gt "$NCORES" ] && label="$np (oversubscribed)"
    "$PYTHON" - "$tmp" "$cfg" "$np" "$REPEAT" "$label" <<'EOF' || { echo "cluster_scaling: metrics differ between rank counts ($cfg, $np ranks)" >&2; exit 1; }
import json, statistics, sys
tmp, cfg, np, repeat, label = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
runs = [json.load(open(f"{tmp}/{cfg}-{np}-{i}.json"))["policies"][0] for i in range(repeat)]
rate = lambda p: p["events"] / p["wall_s"]
runs.sort(key=rate)
med = runs[len(runs) // 2]
# Everything the model computes must not depend on the rank count (nor on the repeat).
SKIP = ("wall", "windows", "remote_events")
def model(p):
    return {k: v for k, v in p.items() if not any(s in k for s in SKIP)}
ref_path = f"{tmp}/{cfg}-ref.json"
try:
    ref = json.load(open(ref_path))
    ref_np = ref.pop("_ranks")
except FileNotFoundError:
    ref, ref_np = model(runs[0]), np
    json.dump(dict(ref, _ranks=np), open(ref_path, "w"))
    json.dump({"rate": statistics.median(map(rate, runs))}, open(f"{tmp}/{cfg}-base.json", "w"))
bad = []
for r in runs:
    m = model(r)
    bad += [k for k in ref if m.get(k) != ref[k]]
check = "identical" if not bad else "DIFFER: " + ", ".join(sorted(set(bad)))
base = json.load(open(f"{tmp}/{cfg}-base.json"))["rate"]
ev = med["events"]
remote = f"{100 * med['remote_events'] / max(ev, 1):.1f}" if "remote_events" in med else "n/a"
print(f"| {cfg} | {label} | {ev:,.0f} | {rate(med) / 1e6:.2f} M | {med['windows']:,.0f} | "
      f"{ev / max(med['windows'], 1):,.1f} | {remote} | "
      f"{rate(med) / base:.2f} | {med['wall_s']:.2f} | {check} (vs {ref_np} rank) |", flush=True)
sys.exit(1 if bad else 0)
EOF
  done
done
