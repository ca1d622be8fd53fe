#!/usr/bin/env bash
# What each coordination mode costs and how stale what decisions saw was, on the decentralized
# seed-study scenario (configs/seed-study-u80-ac.toml) at 100 nodes (1,000 tasks) and 1,000
# nodes (10,000 tasks): none, limited sharing (4 neighbours, 1 s reports) with observation
# loss 0, 0.5 and 0.8, global sharing (100 nodes only: N - 1 reports per node per second),
# centralized (K = 16). Prints one Markdown row per (nodes, mode, policy) from the runs'
# --summary-json (means over the episodes).
#
# usage: benchmarks/coordination_modes.sh [path/to/marlsim]   (env: EPISODES_100, EPISODES_1000, POLICIES)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MARLSIM=${1:-${MARLSIM:-build/bin/marlsim}}
PYTHON=${PYTHON:-/usr/bin/python3}
POLICIES=${POLICIES:-decentralized-ac,least-loaded}
C=configs/seed-study-u80-ac.toml
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

declare -A MODES=(
  [none]="--set scheduler.sharing=none"
  [limited]="--set scheduler.sharing=limited"
  [limited-loss0.5]="--set scheduler.sharing=limited --set agents.observation_loss=0.5"
  [limited-loss0.8]="--set scheduler.sharing=limited --set agents.observation_loss=0.8"
  [global]="--set scheduler.sharing=global"
  [centralized]="--set scheduler.topology=centralized --set scheduler.candidates=16"
)
ORDER="none limited limited-loss0.5 limited-loss0.8 global centralized"

echo "| nodes | mode | policy | messages/agent | bytes/agent | mean staleness s | p95 staleness s | unreported candidates % | reports lost | mean completion s |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for nodes in 100 1000; do
  if [ "$nodes" = 100 ]; then size="--episodes ${EPISODES_100:-3}"; else
    size="--episodes ${EPISODES_1000:-1} --set cluster.nodes=1000 --set workload.tasks=10000"; fi
  for mode in $ORDER; do
    [ "$mode" = global ] && [ "$nodes" = 1000 ] && continue
    policies=$POLICIES
    [ "$mode" = none ] && policies=${POLICIES//least-loaded/random}  # least-loaded needs load reports
    # shellcheck disable=SC2086
    "$MARLSIM" run "$C" --quiet --policy "$policies" $size ${MODES[$mode]} --summary-json "$OUT/s.json" >/dev/null
    "$PYTHON" - "$OUT/s.json" "$nodes" "$mode" <<'EOF'
import json, math, sys
d = json.load(open(sys.argv[1]))
def f(x, digits=3):
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:,.{digits}g}"
for p in d["policies"]:
    print(f"| {sys.argv[2]} | {sys.argv[3]} | {p['policy']} | {p['messages_per_agent']:,.0f} | {p['bytes_per_agent']:,.0f} | "
          f"{f(p['mean_staleness_s'])} | {f(p['p95_staleness_s'])} | {p['unreported_candidates_pct']:.1f} | "
          f"{p['reports_lost']:,.0f} | {p['mean_completion_s']:.1f} |")
EOF
  done
done
