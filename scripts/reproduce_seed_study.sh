#!/usr/bin/env bash
# Reproduce source study 1 (arXiv 2603.24738, DESIGN.md) with marlsim's five baselines:
# random, weighted-rr, priority-minmin, least-loaded and best-fit, 30 episodes each with
# common random numbers,
#   1. at the study's own arrival rate (configs/seed-study.toml, 0.5 tasks/s, ~1.3 % load),
#   2. at 60, 80 and 95 % target utilization (configs/seed-study-u60/u80/u95.toml),
#   3. two variants at 80 %: priority-minmin with batch_interval_s = 1 (Min-Min over the tasks
#      collected each second instead of one task at a time), and a steady-state run with
#      20,000 tasks x 5 episodes (with 1,000 tasks the arrivals last only ~30 s at 80 %), and
#      the same steady-state run at 60 % for comparison.
# It writes one JSON summary per run under RESULTS_DIR, then prints the Markdown tables
# (analysis/seed_study_table.py) and draws the PNG (analysis/plot_seed_study.py).
#
# usage: scripts/reproduce_seed_study.sh [RESULTS_DIR]      (default results/seed-study)
#   MARLSIM=build-repro/bin/marlsim scripts/reproduce_seed_study.sh
#   PLOT=docs/seed-study-reproduction.png scripts/reproduce_seed_study.sh   (where the PNG goes)
#   SKIP_STEADY=1 ...   skip the 20,000-task steady-state runs
set -euo pipefail

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ] || [ $# -gt 1 ]; then
  echo "usage: $0 [RESULTS_DIR]   (env: MARLSIM, PYTHON, PLOT, SKIP_STEADY)" >&2
  exit 2
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MARLSIM=${MARLSIM:-build/bin/marlsim}
PYTHON=${PYTHON:-/usr/bin/python3}
OUT=${1:-results/seed-study}
PLOT=${PLOT:-$OUT/seed-study.png}
POLICIES=random,weighted-rr,priority-minmin,least-loaded,best-fit

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
  echo "# $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
} >>"$OUT/commands.txt"

run rate configs/seed-study.toml --policy "$POLICIES" --episodes 30
for u in 60 80 95; do
  run "u$u" "configs/seed-study-u$u.toml" --policy "$POLICIES" --episodes 30
done
run u80-minmin-batch1 configs/seed-study-u80.toml --policy priority-minmin --episodes 30 \
  --set scheduler.batch_interval_s=1
if [ -z "${SKIP_STEADY:-}" ]; then
  run u60-steady configs/seed-study-u60.toml --policy "$POLICIES" --episodes 5 --set workload.tasks=20000
  run u80-steady configs/seed-study-u80.toml --policy "$POLICIES" --episodes 5 --set workload.tasks=20000
  run u80-steady-minmin-batch1 configs/seed-study-u80.toml --policy priority-minmin --episodes 5 \
    --set workload.tasks=20000 --set scheduler.batch_interval_s=1
fi

"$PYTHON" analysis/seed_study_table.py "$OUT" | tee "$OUT/tables.md"
mkdir -p "$(dirname "$PLOT")"
"$PYTHON" analysis/plot_seed_study.py "$OUT" "$PLOT"
echo "tables: $OUT/tables.md  plot: $PLOT" >&2
