#!/usr/bin/env bash
# Reproduce source study 1 (arXiv 2603.24738, DESIGN.md) with marlsim's five baselines
# (random, weighted-rr, priority-minmin, least-loaded, best-fit), common random numbers:
#   1. bursts, 1,000 tasks x 30 episodes: the study's own rate (configs/seed-study.toml,
#      0.5 tasks/s) and 60, 80 and 95 % target utilization of the dominant resource
#      (configs/seed-study-u60/u80/u95.toml);
#   2. the 80 % burst decided in 5 s batches, the study's step (configs/seed-study-u80-batched.toml);
#   3. the study's rate with the study's public-code values (best-effort slack 5, run-time
#      cap 500 s, a new cluster per episode) instead of ours;
#   4. steady states, 60,000 tasks x 10 episodes with a 600 s warm-up, at 60, 70 and 80 %
#      (configs/steady-u60/u70/u80.toml) under FCFS and EASY backfilling, each with paired
#      differences from least-loaded (--baseline least-loaded);
#   5. source study 3's two-level setting (configs/hierrl-alibaba2017.toml) over its grid,
#      2-5 nodes x 52/171/292 Alibaba 2017 tasks, paired differences from ray-hybrid.
# It writes one JSON summary per run under RESULTS_DIR, then prints the Markdown tables
# (analysis/seed_study_table.py) and draws the PNG (analysis/plot_seed_study.py).
#
# usage: scripts/reproduce_seed_study.sh [RESULTS_DIR]      (default results/seed-study)
#   MARLSIM=build-repro/bin/marlsim scripts/reproduce_seed_study.sh
#   PLOT=docs/seed-study-reproduction.png scripts/reproduce_seed_study.sh   (where the PNG goes)
#   SKIP_STEADY=1 ...   skip the steady-state runs (about 20-60 s each, 6 of them)
#   SKIP_HIERRL=1 ...   skip the two-level grid (needs ../shared/traces/alibaba_v2017)
set -euo pipefail

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ] || [ $# -gt 1 ]; then
  echo "usage: $0 [RESULTS_DIR]   (env: MARLSIM, PYTHON, PLOT, SKIP_STEADY, SKIP_HIERRL)" >&2
  exit 2
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MARLSIM=${MARLSIM:-build/bin/marlsim}
PYTHON=${PYTHON:-/usr/bin/python3}
OUT=${1:-results/seed-study}
PLOT=${PLOT:-$OUT/seed-study.png}
POLICIES=random,weighted-rr,priority-minmin,least-loaded,best-fit
# The study's public code (these keys' defaults are ours; configs/README.md).
PUBLIC_CODE=(--set workload.sla.slack_factor.best-effort=5 --set workload.runtime_max_s=500
  --set cluster.new_per_episode=true)

[ -x "$MARLSIM" ] || { echo "reproduce_seed_study: no marlsim program at $MARLSIM (build it first, or set MARLSIM=...)" >&2; exit 2; }
mkdir -p "$OUT"

# run TAG CONFIG [marlsim run options...]: one comparison, its JSON in $OUT/TAG.json and its
# printed table in $OUT/TAG.txt; the command line is logged in $OUT/commands.txt.
run() {
  local tag=$1 config=$2
  shift 2
  local cmd=("$MARLSIM" run "$config" --summary-json "$OUT/$tag.json" "$@")
  echo "${cmd[*]}" >>"$OUT/commands.txt"
  echo "== $tag: ${cmd[*]}" >&2
  if ! "${cmd[@]}" >"$OUT/$tag.txt" 2>&1; then
    echo "reproduce_seed_study: FAILED: ${cmd[*]}" >&2
    cat "$OUT/$tag.txt" >&2
    exit 1
  fi
}

: >"$OUT/commands.txt"
{
  echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "# $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
} >>"$OUT/commands.txt"

run rate configs/seed-study.toml --policy "$POLICIES" --episodes 30
for u in 60 80 95; do
  run "u$u" "configs/seed-study-u$u.toml" --policy "$POLICIES" --episodes 30
done
run u80-batched configs/seed-study-u80-batched.toml --policy "$POLICIES" --episodes 30
run rate-public-code configs/seed-study.toml --policy "$POLICIES" --episodes 30 "${PUBLIC_CODE[@]}"
if [ -z "${SKIP_STEADY:-}" ]; then
  for u in 60 70 80; do
    for q in fcfs easy-backfill; do
      run "steady-u$u-$q" "configs/steady-u$u.toml" --policy "$POLICIES" --baseline least-loaded \
        --set scheduler.queue=$q
    done
  done
fi
if [ -z "${SKIP_HIERRL:-}" ]; then
  for n in 2 3 4 5; do
    for t in 52 171 292; do
      run "hierrl-n$n-t$t" configs/hierrl-alibaba2017.toml --baseline ray-hybrid \
        --set cluster.nodes=$n --set workload.trace.max_tasks=$t
    done
  done
fi

"$PYTHON" analysis/seed_study_table.py "$OUT" | tee "$OUT/tables.md"
mkdir -p "$(dirname "$PLOT")"
"$PYTHON" analysis/plot_seed_study.py "$OUT" "$PLOT"
echo "tables: $OUT/tables.md  plot: $PLOT" >&2
